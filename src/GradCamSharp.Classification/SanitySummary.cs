using System.Text.Json.Serialization;
using GradCamSharp.Evaluation;

namespace GradCamSharp.Classification;

/// <summary>One randomised band's similarity to the trained model's maps, over cases.</summary>
public sealed record SanitySummary(
    [property: JsonPropertyName("kind")] string Kind,
    [property: JsonPropertyName("from_top")] double FromTop,
    [property: JsonPropertyName("to_top")] double ToTop,
    [property: JsonPropertyName("spearman")] MeanInterval Spearman,
    [property: JsonPropertyName("ssim")] MeanInterval Ssim);
