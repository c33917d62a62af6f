using System.Text.Json.Serialization;

namespace GradCamSharp.Web;

/// <summary>
/// The model the demo explains and what the page offers, every list from its registry: the methods (with those checked
/// by default, the paper's four), the colormaps, the captioning and VQA models.
/// </summary>
internal sealed record ModelDescription(
    [property: JsonPropertyName("model")] string Model,
    [property: JsonPropertyName("summary")] string? Summary,
    [property: JsonPropertyName("labels")] IReadOnlyList<string> Labels,
    [property: JsonPropertyName("methods")] IReadOnlyList<string> Methods,
    [property: JsonPropertyName("default_methods")] IReadOnlyList<string> DefaultMethods,
    [property: JsonPropertyName("colormaps")] IReadOnlyList<string> Colormaps,
    [property: JsonPropertyName("captioners")] IReadOnlyList<string> Captioners,
    [property: JsonPropertyName("vqa_models")] IReadOnlyList<string> VqaModels);
