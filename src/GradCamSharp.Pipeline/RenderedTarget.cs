using SkiaSharp;

namespace GradCamSharp.Pipeline;

/// <summary>Every requested method's map of one target (class) on one photo, and their side-by-side panel.</summary>
public sealed class RenderedTarget : IDisposable
{
    /// <summary>A short file-name-safe tag for the target, e.g. "dog" or "class238".</summary>
    public required string Tag { get; init; }

    /// <summary>The class label, where the model has labels.</summary>
    public string? Label { get; init; }

    /// <summary>One map per method, in request order.</summary>
    public required IReadOnlyList<RenderedMap> Maps { get; init; }

    /// <summary>original | method 1 | method 2 | ..., when more than one method was asked for.</summary>
    public SKBitmap? Panel { get; init; }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (RenderedMap map in Maps) map.Picture.Dispose();
        Panel?.Dispose();
    }
}
