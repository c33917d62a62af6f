using System.Text.Json.Serialization;

namespace GradCamSharp.Web;

/// <summary>Every map of one class, and their panel.</summary>
internal sealed record TargetResult(
    [property: JsonPropertyName("class_label")] string? ClassLabel,
    [property: JsonPropertyName("class_index")] int? ClassIndex,
    [property: JsonPropertyName("score")] float Score,
    [property: JsonPropertyName("maps")] IReadOnlyList<MapResult> Maps,
    [property: JsonPropertyName("panel")] string? Panel);
