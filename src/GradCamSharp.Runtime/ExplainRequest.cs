using GradCamSharp.Models;

namespace GradCamSharp.Runtime;

/// <summary>What to explain and where to put the results.</summary>
public sealed record ExplainRequest
{
    /// <summary>Photo files.</summary>
    public required IReadOnlyList<string> Images { get; init; }

    /// <summary>The output folder; created if missing.</summary>
    public required string OutputDirectory { get; init; }

    /// <summary>Classes by index or label; empty means the top classes.</summary>
    public IReadOnlyList<string> Classes { get; init; } = [];

    /// <summary>How many top classes when <see cref="Classes"/> is empty.</summary>
    public int Top { get; init; } = 1;

    /// <summary>Method names (see <c>KnownMethods</c>), or "all" for the paper's four.</summary>
    public IReadOnlyList<string> Methods { get; init; } = ["gradcam"];

    /// <summary>The target layer, or <c>auto</c>.</summary>
    public string Layer { get; init; } = ModelLayers.Auto;

    /// <summary>The heatmap colormap.</summary>
    public string Colormap { get; init; } = "jet";
}
