using System.Text.Json.Serialization;

namespace GradCamSharp.Evaluation;

/// <summary>A mean over images and its 95% bootstrap interval.</summary>
/// <param name="Mean">The sample mean.</param>
/// <param name="Low">The 2.5th percentile of the resampled means.</param>
/// <param name="High">The 97.5th percentile.</param>
/// <param name="Count">How many values.</param>
public sealed record MeanInterval(
    [property: JsonPropertyName("mean")] double Mean,
    [property: JsonPropertyName("low")] double Low,
    [property: JsonPropertyName("high")] double High,
    [property: JsonPropertyName("count")] int Count);
