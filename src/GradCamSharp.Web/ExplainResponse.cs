using System.Text.Json.Serialization;

namespace GradCamSharp.Web;

/// <summary>The answer to one upload.</summary>
public sealed record ExplainResponse(
    [property: JsonPropertyName("model")] string Model,
    [property: JsonPropertyName("width")] int Width,
    [property: JsonPropertyName("height")] int Height,
    [property: JsonPropertyName("targets")] IReadOnlyList<TargetResult> Targets);
