using System.Globalization;
using System.Text.Json.Serialization;
using GradCamSharp.Evaluation;
using static GradCamSharp.Evaluation.KnownMetrics;

namespace GradCamSharp.Classification;

/// <summary>
/// An evaluation's results: per method, every metric's mean over cases with a 95% percentile-bootstrap interval, the
/// mean deletion and insertion curves and the sanity checks; with the per-case results, and the annotated labels the
/// model lacks (reported, never silently dropped).
/// </summary>
public sealed record EvaluationSummary
{
    /// <summary>The model evaluated.</summary>
    [JsonPropertyName("model")] public required string Model { get; init; }

    /// <summary>Where the cases came from.</summary>
    [JsonPropertyName("source")] public required string Source { get; init; }

    /// <summary>The cases evaluated (objects whose label the model has).</summary>
    [JsonPropertyName("cases")] public required int Cases { get; init; }

    /// <summary>Annotated labels the model lacks, with how many objects carry each.</summary>
    [JsonPropertyName("unmatched_labels")] public required IReadOnlyDictionary<string, int> Unmatched { get; init; }

    /// <summary>What was computed.</summary>
    [JsonPropertyName("options")] public required EvaluationOptions Options { get; init; }

    /// <summary>Per method.</summary>
    [JsonPropertyName("methods")] public required IReadOnlyList<MethodSummary> Methods { get; init; }

    /// <summary>How often the model's top-1 class is the object's, and what it says instead when it is not.</summary>
    [JsonPropertyName("failure_modes")] public FailureModes? FailureModes { get; init; }

    /// <summary>Per case and method.</summary>
    [JsonPropertyName("results")] public required IReadOnlyList<EvaluationResult> Results { get; init; }

    /// <summary>
    /// The method x metric table in Markdown, a row per method and a column per metric, each cell the mean and its 95%
    /// bootstrap interval, "mean [low, high]", at the metric's <see cref="MetricDescriptor.Decimals"/>; the header
    /// marks which way is better. The tables of the README and the evaluation page are made with it.
    /// </summary>
    /// <param name="metrics">The columns, by name, in order; every metric some method has when null.</param>
    /// <exception cref="KeyNotFoundException">A name that is no metric of <see cref="KnownMetrics"/>.</exception>
    public string ToMarkdown(IReadOnlyList<string>? metrics = null)
    {
        IReadOnlyList<MetricDescriptor> columns = metrics is null
            ? [.. KnownMetrics.Registered.Where(m => Methods.Any(method => method.Metrics.ContainsKey(m.Name)))]
            : [.. metrics.Select(KnownMetrics.Get)];
        var table = new System.Text.StringBuilder();
        table.AppendLine("| method | " + string.Join(" | ", columns.Select(c => $"{c.Name} {(c.HigherIsBetter
            ? "\u2191" : "\u2193")}")) + " |");
        table.AppendLine("|---|" + string.Concat(columns.Select(_ => "---|")));
        foreach (MethodSummary method in Methods)
        {
            IEnumerable<string> cells = columns.Select(c => method.Metrics.TryGetValue(c.Name, out MeanInterval? value)
                ? string.Create(CultureInfo.InvariantCulture, $"{Round(value.Mean, c)} [{Round(value.Low, c)}, " +
                    $"{Round(value.High, c)}]") : "");
            table.AppendLine("| " + method.Method + " | " + string.Join(" | ", cells) + " |");
        }
        return table.ToString();
    }

    /// <summary>The value at the metric's decimals; one that rounds to zero shows as 0, never -0.</summary>
    private static string Round(double value, MetricDescriptor metric)
    {
        double rounded = Math.Round(value, metric.Decimals);
        return (rounded == 0 ? 0 : rounded).ToString("F" + metric.Decimals, CultureInfo.InvariantCulture);
    }

    /// <summary>Summarises <paramref name="results"/>, methods in their order of appearance.</summary>
    public static EvaluationSummary Of(string model, string source, IReadOnlyList<EvaluationResult> results,
        IReadOnlyDictionary<string, int> unmatched, EvaluationOptions options)
    {
        ArgumentNullException.ThrowIfNull(results);
        var methods = results.GroupBy(r => r.Method).Select(group =>
        {
            EvaluationResult[] rows = group.ToArray();
            var metrics = new Dictionary<string, MeanInterval>(StringComparer.Ordinal);
            void Add(string name, IEnumerable<double> values)
            {
                double[] finite = values.Where(double.IsFinite).ToArray();
                if (finite.Length > 0) metrics[name] = Bootstrap.Mean(finite, options.Seed);
            }
            Add(Pointing, rows.Select(r => r.PointingHit ? 1.0 : 0));
            Add(Energy, rows.Select(r => r.EnergyInBox));
            Add(PointingWhenRight, rows.Where(r => r.TrueRank == 1).Select(r => r.PointingHit ? 1.0 : 0));
            Add(PointingWhenWrong, rows.Where(r => r.TrueRank > 1).Select(r => r.PointingHit ? 1.0 : 0));
            Add(BoxIoU, rows.Select(r => r.BoxIoU));
            Add(LocalisationError, rows.Select(r => r.LocalisationError ? 1.0 : 0));
            Add(OwnShare, rows.Where(r => r.OwnShare is not null).Select(r => r.OwnShare!.Value));
            Add(OtherShare, rows.Where(r => r.OtherShare is not null).Select(r => r.OtherShare!.Value));
            Add(Discrimination, rows.Where(r => r.Discrimination is not null).Select(r => r.Discrimination!.Value));
            Add(KnownMetrics.Faithfulness,
                rows.Where(r => r.Faithfulness is not null).Select(r => r.Faithfulness!.Value));
            Add(Deletion, rows.Select(r => r.Deletion));
            Add(Insertion, rows.Select(r => r.Insertion));
            Add(KnownMetrics.Road, rows.Where(r => r.Road is not null).Select(r => r.Road!.Value));
            Add(RoadMostRelevantFirst, rows.Where(r => r.RoadMostRelevantFirst is not null)
                .Select(r => r.RoadMostRelevantFirst!.Value));
            Add(RoadLeastRelevantFirst, rows.Where(r => r.RoadLeastRelevantFirst is not null)
                .Select(r => r.RoadLeastRelevantFirst!.Value));
            Add(KnownMetrics.Arcc, rows.Where(r => r.Arcc is not null).Select(r => r.Arcc!.Value));
            Add(AverageDrop, rows.Select(r => 100 * r.Drop));
            Add(Increase, rows.Select(r => r.Increase ? 100.0 : 0));
            Add(Randomized, rows.Where(r => r.RandomizedSimilarity is not null)
                .Select(r => r.RandomizedSimilarity!.Value));
            var sanity = rows[0].Randomization.Select((step, s) => new SanitySummary(step.Kind, step.FromTop,
                step.ToTop, Bootstrap.Mean(rows.Select(r => r.Randomization[s].Spearman).ToArray(), options.Seed),
                Bootstrap.Mean(rows.Select(r => r.Randomization[s].Ssim).ToArray(), options.Seed))).ToList();
            return new MethodSummary
            {
                Method = group.Key, Metrics = metrics,
                DeletionCurve = MeanCurve(rows.Select(r => r.DeletionCurve)),
                InsertionCurve = MeanCurve(rows.Select(r => r.InsertionCurve)),
                RoadMostRelevantFirstCurve = MeanCurve(rows.Select(r => r.RoadMostRelevantFirstCurve)),
                RoadLeastRelevantFirstCurve = MeanCurve(rows.Select(r => r.RoadLeastRelevantFirstCurve)),
                Randomization = sanity,
            };
        }).ToList();
        return new EvaluationSummary
        {
            Model = model, Source = source,
            Cases = results.Count == 0 ? 0 : results.Count(r => r.Method == results[0].Method),
            Unmatched = unmatched, Options = options, Methods = methods, Results = results,
            FailureModes = FailureModes.Of(results),
        };
    }

    private static double[] MeanCurve(IEnumerable<IReadOnlyList<float>> curves)
    {
        IReadOnlyList<float>[] all = curves.Where(c => c.Count > 0).ToArray();
        return all.Length == 0 ? [] : Enumerable.Range(0,
            all[0].Count).Select(i => all.Average(c => (double)c[i])).ToArray();
    }
}
