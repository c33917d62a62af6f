namespace GradCamSharp.Pipeline;

/// <summary>A batch of photos to explain with the same settings, and where to put the results.</summary>
public sealed record ExplainJob
{
    /// <summary>Photo files.</summary>
    public required IReadOnlyList<string> Images { get; init; }

    /// <summary>The output folder; created if missing.</summary>
    public required string OutputDirectory { get; init; }

    /// <summary>What to explain in each photo.</summary>
    public ExplanationSettings Settings { get; init; } = new();
}
