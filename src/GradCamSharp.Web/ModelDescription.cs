using System.Text.Json.Serialization;

namespace GradCamSharp.Web;

/// <summary>The model the demo explains.</summary>
public sealed record ModelDescription(
    [property: JsonPropertyName("model")] string Model,
    [property: JsonPropertyName("labels")] IReadOnlyList<string> Labels,
    [property: JsonPropertyName("methods")] IReadOnlyList<string> Methods,
    [property: JsonPropertyName("colormaps")] IReadOnlyList<string> Colormaps,
    [property: JsonPropertyName("captioners")] IReadOnlyList<string> Captioners,
    [property: JsonPropertyName("vqa_models")] IReadOnlyList<string> VqaModels);
