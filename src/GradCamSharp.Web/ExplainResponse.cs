using System.Text.Json.Serialization;

namespace GradCamSharp.Web;

/// <summary>
/// The answer to one upload: the model's best classes and the maps of those explained; for a detector, its
/// detections (best first, also as <see cref="TopClasses"/>), the photo with their boxes, and a target per detection.
/// </summary>
internal sealed record ExplainResponse(
    [property: JsonPropertyName("model")] string Model,
    [property: JsonPropertyName("width")] int Width,
    [property: JsonPropertyName("height")] int Height,
    [property: JsonPropertyName("top_classes")] IReadOnlyList<ClassScore> TopClasses,
    [property: JsonPropertyName("targets")] IReadOnlyList<TargetResult> Targets)
{
    /// <summary>A detector's detections, in the order of <see cref="Targets"/>; null for other models.</summary>
    [JsonPropertyName("detections")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<DetectionResult>? Detections { get; init; }

    /// <summary>The URL of the photo with every detection's box; null for other models.</summary>
    [JsonPropertyName("boxes")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Boxes { get; init; }
}

/// <summary>One detection: its class, its score (objectness times the class's probability) and its box.</summary>
internal sealed record DetectionResult(
    [property: JsonPropertyName("class_index")] int ClassIndex,
    [property: JsonPropertyName("class_label")] string? ClassLabel,
    [property: JsonPropertyName("detection_score")] float Score,
    [property: JsonPropertyName("box")] int[] Box);
