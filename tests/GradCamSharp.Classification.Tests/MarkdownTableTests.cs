using GradCamSharp.Evaluation;

namespace GradCamSharp.Classification.Tests;

/// <summary>The summary's Markdown table: rows, columns, directions and each metric's decimals.</summary>
public sealed class MarkdownTableTests
{
    private static MethodSummary Method(string name,
        params (string Metric, double Mean, double Low, double High)[] m) => new()
        {
            Method = name, DeletionCurve = [], InsertionCurve = [], Randomization = [],
            Metrics = m.ToDictionary(v => v.Metric, v => new MeanInterval(v.Mean, v.Low, v.High, 10)),
        };

    private static EvaluationSummary Summary() => new()
    {
        Model = "m", Source = "s", Cases = 10, Unmatched = new Dictionary<string, int>(),
        Options = new EvaluationOptions(), Results = [],
        Methods =
        [
            Method("gradcam", (KnownMetrics.Pointing, 0.9649, 0.94, 0.97), (KnownMetrics.Road, 0.12149, 0.0881, 0.1544),
                (KnownMetrics.AverageDrop, 17.26, 14.5, 20.149)),
            Method("randomcam", (KnownMetrics.Pointing, 0.49, 0.35, 0.63), (KnownMetrics.Road, -0.0004, -0.008, 0.046)),
        ],
    };

    [Fact]
    public void EveryMeasuredMetric_InRegistryOrder_WithItsDirectionAndDecimals_AndNoNegativeZero()
    {
        string[] lines = Summary().ToMarkdown().TrimEnd().Split('\n');

        Assert.Equal(["| method | pointing \u2191 | road \u2191 | average_drop \u2193 |", "|---|---|---|---|",
            "| gradcam | 0.96 [0.94, 0.97] | 0.121 [0.088, 0.154] | 17.3 [14.5, 20.1] |",
            "| randomcam | 0.49 [0.35, 0.63] | 0.000 [-0.008, 0.046] |  |"], lines.Select(l => l.TrimEnd('\r')));
    }

    [Fact]
    public void NamedColumns_InTheGivenOrder_AndAnUnknownNameIsRefused()
    {
        string header = Summary().ToMarkdown([KnownMetrics.AverageDrop, KnownMetrics.Pointing]).Split('\n')[0];

        Assert.Equal("| method | average_drop \u2193 | pointing \u2191 |", header.TrimEnd('\r'));
        Assert.Throws<KeyNotFoundException>(() => Summary().ToMarkdown(["pointing", "speed"]));
    }
}
