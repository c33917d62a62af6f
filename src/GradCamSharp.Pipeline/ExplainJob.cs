using GradCamSharp.Imaging;

namespace GradCamSharp.Pipeline;

/// <summary>A batch of photos to explain with the same settings, and where to put the results.</summary>
public sealed record ExplainJob
{
    /// <summary>Photo files.</summary>
    public required IReadOnlyList<string> Images { get; init; }

    /// <summary>The output folder; created if missing.</summary>
    public required string OutputDirectory { get; init; }

    /// <summary>Pixel limit, output size and whether truncated photos are accepted.</summary>
    public ImageDecodeOptions Decoding { get; init; } = ImageDecodeOptions.Default;

    /// <summary>Write into a folder that holds files gradcam did not write (they are left alone).</summary>
    public bool Overwrite { get; init; }

    /// <summary>What to explain in each photo.</summary>
    public ExplanationSettings Settings { get; init; } = new();
}
