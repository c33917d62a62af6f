using SkiaSharp;

namespace GradCamSharp.Scenes;

/// <summary>A generated image with exact ground truth: every object's mask and box, captions and questions.</summary>
public sealed class Scene : IDisposable
{
    /// <summary>The scene's number within its world and seed.</summary>
    public required int Index { get; init; }

    /// <summary>The picture (RGBA, opaque).</summary>
    public required SKBitmap Image { get; init; }

    /// <summary>The objects, farthest first (each may hide parts of the earlier ones).</summary>
    public required IReadOnlyList<SceneObject> Objects { get; init; }

    /// <summary>Captions, the canonical one first.</summary>
    public IReadOnlyList<string> Captions { get; init; } = [];

    /// <summary>For each word of the canonical caption, the object it names (colour or noun), or null.</summary>
    public IReadOnlyList<int?> CaptionGrounding { get; init; } = [];

    /// <summary>Questions with their answers.</summary>
    public IReadOnlyList<SceneQuestion> Questions { get; init; } = [];

    /// <summary>The picture's width.</summary>
    public int Width => Image.Width;

    /// <summary>The picture's height.</summary>
    public int Height => Image.Height;

    /// <inheritdoc />
    public void Dispose() => Image.Dispose();
}
