namespace GradCamSharp.Runtime;

/// <summary>What a user may say about a model beyond its name or file.</summary>
public sealed record ModelLoadOptions
{
    /// <summary>The TorchVision architecture of a <c>.pth</c> checkpoint; inferred from the file name when absent.</summary>
    public string? Architecture { get; init; }

    /// <summary>A label file: one class name a line, in output order.</summary>
    public string? LabelsPath { get; init; }

    /// <summary>A preprocessing preset name (see <c>KnownPreprocessing</c>).</summary>
    public string? Preprocess { get; init; }

    /// <summary>When given, load the architecture with random weights from this seed instead of its trained ones (sanity checks).</summary>
    public int? RandomWeightsSeed { get; init; }
}
