using System.Text.Json.Serialization;
using GradCamSharp.Catalog;

namespace GradCamSharp.Web;

/// <summary>One of the model's best classes for the upload.</summary>
internal sealed record ClassScore(
    [property: JsonPropertyName("class_index")] int Index,
    [property: JsonPropertyName("class_label")] string? Label,
    [property: JsonPropertyName("score")] double Score,
    [property: JsonPropertyName("probability")] double Probability)
{
    /// <summary>The ranking's entry as the API returns it.</summary>
    public static ClassScore Of(RankedClass ranked) =>
        new(ranked.Index, ranked.Label, ranked.Score, ranked.Probability);
}
