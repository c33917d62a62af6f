using System.Text.Json.Serialization;

namespace GradCamSharp.Classification;

/// <summary>
/// The paper's failure modes (Figure 2) counted over an evaluation's objects: how often the object's class is the
/// model's top-1, and when it is not, whether the model named another object of the picture or a class that is not
/// there. Whether the true class's map still finds the object is each method's <c>pointing_wrong</c> metric.
/// </summary>
public sealed record FailureModes
{
    /// <summary>Objects whose prediction was recorded.</summary>
    [JsonPropertyName("objects")] public required int Objects { get; init; }

    /// <summary>Objects whose class is the model's top-1.</summary>
    [JsonPropertyName("top1")] public required int Top1 { get; init; }

    /// <summary>The share of objects whose class is the top-1.</summary>
    [JsonPropertyName("top1_accuracy")] public double Top1Accuracy => Objects == 0 ? 0 : Top1 / (double)Objects;

    /// <summary>Objects whose class is not the top-1 because another annotated object of the picture is.</summary>
    [JsonPropertyName("wrong_other_object")] public required int WrongToOtherObject { get; init; }

    /// <summary>Objects whose class is not the top-1 and whose picture holds no object of the top-1 class.</summary>
    [JsonPropertyName("wrong_absent_class")] public required int WrongToAbsentClass { get; init; }

    /// <summary>The median rank of the true class among the model's scores when it is not the top-1.</summary>
    [JsonPropertyName("median_rank_when_wrong")] public double? MedianRankWhenWrong { get; init; }

    /// <summary>"label -> predicted" with how many objects, most frequent first.</summary>
    [JsonPropertyName("confusions")] public required IReadOnlyDictionary<string, int> Confusions { get; init; }

    /// <summary>Counts the failure modes of <paramref name="results"/> (one row per object: its first method's).
    /// </summary>
    /// <returns>Null when no result records a prediction.</returns>
    public static FailureModes? Of(IReadOnlyList<EvaluationResult> results)
    {
        ArgumentNullException.ThrowIfNull(results);
        if (results.Count == 0) return null;
        EvaluationResult[] objects = [.. results.Where(r => r.Method == results[0].Method && r.TrueRank is not null)];
        if (objects.Length == 0) return null;
        EvaluationResult[] wrong = [.. objects.Where(r => r.TrueRank > 1)];
        int[] ranks = [.. wrong.Select(r => r.TrueRank!.Value).Order()];
        double? median = ranks.Length == 0 ? null
            : (ranks[(ranks.Length - 1) / 2] + ranks[ranks.Length / 2]) / 2.0;
        var confusions = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (IGrouping<string, EvaluationResult> group in wrong.GroupBy(r => $"{r.Label} -> {r.Predicted}")
            .OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal))
        {
            confusions[group.Key] = group.Count();
        }
        return new FailureModes
        {
            Objects = objects.Length, Top1 = objects.Length - wrong.Length,
            WrongToOtherObject = wrong.Count(r => r.PredictedOtherObject == true),
            WrongToAbsentClass = wrong.Count(r => r.PredictedOtherObject != true),
            MedianRankWhenWrong = median, Confusions = confusions,
        };
    }
}
