using System.Text.Json.Serialization;

namespace GradCamSharp.Web;

/// <summary>The answer to one upload: the model's best classes and the maps of those explained.</summary>
internal sealed record ExplainResponse(
    [property: JsonPropertyName("model")] string Model,
    [property: JsonPropertyName("width")] int Width,
    [property: JsonPropertyName("height")] int Height,
    [property: JsonPropertyName("top_classes")] IReadOnlyList<ClassScore> TopClasses,
    [property: JsonPropertyName("targets")] IReadOnlyList<TargetResult> Targets);
