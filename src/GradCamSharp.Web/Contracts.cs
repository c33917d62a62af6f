using System.Text.Json.Serialization;

namespace GradCamSharp.Web;

/// <summary>The model the demo explains.</summary>
public sealed record ModelDescription(
    [property: JsonPropertyName("model")] string Model,
    [property: JsonPropertyName("labels")] IReadOnlyList<string> Labels,
    [property: JsonPropertyName("methods")] IReadOnlyList<string> Methods,
    [property: JsonPropertyName("colormaps")] IReadOnlyList<string> Colormaps);

/// <summary>One method's map of one class.</summary>
public sealed record MapResult(
    [property: JsonPropertyName("method")] string Method,
    [property: JsonPropertyName("title")] string Title,
    [property: JsonPropertyName("layer")] string Layer,
    [property: JsonPropertyName("peak")] int[] Peak,
    [property: JsonPropertyName("box")] int[]? Box,
    [property: JsonPropertyName("png")] string Png);

/// <summary>Every map of one class, and their panel.</summary>
public sealed record TargetResult(
    [property: JsonPropertyName("class_label")] string? ClassLabel,
    [property: JsonPropertyName("class_index")] int? ClassIndex,
    [property: JsonPropertyName("score")] float Score,
    [property: JsonPropertyName("maps")] IReadOnlyList<MapResult> Maps,
    [property: JsonPropertyName("panel")] string? Panel);

/// <summary>The answer to one upload.</summary>
public sealed record ExplainResponse(
    [property: JsonPropertyName("model")] string Model,
    [property: JsonPropertyName("width")] int Width,
    [property: JsonPropertyName("height")] int Height,
    [property: JsonPropertyName("targets")] IReadOnlyList<TargetResult> Targets);

/// <summary>A failed request's reason.</summary>
public sealed record ErrorResponse([property: JsonPropertyName("error")] string Error);
