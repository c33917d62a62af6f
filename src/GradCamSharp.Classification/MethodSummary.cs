using System.Text.Json.Serialization;
using GradCamSharp.Evaluation;

namespace GradCamSharp.Classification;

/// <summary>One method's figures over all cases, each mean with its 95% bootstrap interval.</summary>
public sealed record MethodSummary
{
    /// <summary>The method.</summary>
    [JsonPropertyName("method")] public required string Method { get; init; }

    /// <summary>Metric name (see <see cref="KnownMetrics"/>) to mean and interval.</summary>
    [JsonPropertyName("metrics")] public required IReadOnlyDictionary<string, MeanInterval> Metrics { get; init; }

    /// <summary>The mean deletion curve over cases, by step.</summary>
    [JsonPropertyName("deletion_curve")] public required IReadOnlyList<double> DeletionCurve { get; init; }

    /// <summary>The mean insertion curve over cases, by step.</summary>
    [JsonPropertyName("insertion_curve")] public required IReadOnlyList<double> InsertionCurve { get; init; }

    /// <summary>The mean ROAD curve, most relevant first: probability change per share removed (10% to 90%).</summary>
    [JsonPropertyName("road_morf_curve")]
    public IReadOnlyList<double> RoadMostRelevantFirstCurve { get; init; } = [];

    /// <summary>The mean ROAD curve, least relevant first.</summary>
    [JsonPropertyName("road_lerf_curve")]
    public IReadOnlyList<double> RoadLeastRelevantFirstCurve { get; init; } = [];

    /// <summary>
    /// The sanity checks: per randomised band, the mean rank correlation and SSIM with the trained maps.
    /// </summary>
    [JsonPropertyName("randomization")] public required IReadOnlyList<SanitySummary> Randomization { get; init; }
}
