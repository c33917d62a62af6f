namespace GradCamSharp.Scenes;

/// <summary>The worlds by name.</summary>
public static class SceneWorlds
{
    /// <summary>Shapes of several colours on plain, noisy and textured backgrounds.</summary>
    public const string Shapes = "shapes";

    /// <summary>Objects cut out of annotated photos, pasted onto other photos.</summary>
    public const string Photos = "photos";

    /// <summary>Every world name.</summary>
    public static IReadOnlyList<string> Names { get; } = [Shapes, Photos];

    /// <summary>Creates the world called <paramref name="name"/>.</summary>
    /// <param name="name">"shapes" or "photos".</param>
    /// <param name="boxes">The photo world's annotated photos (a boxes file).</param>
    /// <param name="images">The folder of those photos.</param>
    /// <exception cref="UsageException">Unknown world.</exception>
    /// <exception cref="UnreadableInputException">The boxes file cannot be read.</exception>
    public static ISceneWorld Create(string name, string boxes, string images) => name.ToLowerInvariant() switch
    {
        Shapes => new ShapeWorld(),
        Photos => new PhotoWorld(PhotoAnnotations.Read(boxes, images)),
        _ => throw new UsageException($"unknown world '{name}'; known: {string.Join(", ", Names)}"),
    };
}
