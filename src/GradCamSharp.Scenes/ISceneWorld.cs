namespace GradCamSharp.Scenes;

/// <summary>A seeded generator of scenes with exact ground truth.</summary>
public interface ISceneWorld : IDisposable
{
    /// <summary>The world's name: "shapes" or "photos".</summary>
    string Name { get; }

    /// <summary>Scene <paramref name="index"/> of <paramref name="seed"/>: always the same scene.</summary>
    Scene Generate(int seed, int index);
}
