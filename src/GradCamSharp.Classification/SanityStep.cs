using System.Text.Json.Serialization;

namespace GradCamSharp.Classification;

/// <summary>One randomised model of the sanity checks and how similar the method's map on it stays.</summary>
/// <param name="Kind">"cascading" or "independent".</param>
/// <param name="FromTop">The randomised band's start (0 is the output), as a share of the weight tensors.</param>
/// <param name="ToTop">Its end.</param>
/// <param name="Spearman">Rank correlation with the trained model's map (absolute values, as Adebayo et al.).</param>
/// <param name="Ssim">Structural similarity with it.</param>
public sealed record SanityStep(
    [property: JsonPropertyName("kind")] string Kind,
    [property: JsonPropertyName("from_top")] double FromTop,
    [property: JsonPropertyName("to_top")] double ToTop,
    [property: JsonPropertyName("spearman")] double Spearman,
    [property: JsonPropertyName("ssim")] double Ssim);
