using System.Xml.Linq;
using GradCamSharp.Scenes;
using GradCamSharp.Catalog;
using GradCamSharp.Evaluation;

namespace GradCamSharp.Classification.Tests;

/// <summary>
/// One pass over several methods, the summary with intervals, the composite scenes and the HTML report.
/// </summary>
public sealed class EvaluationReportTests(DefaultModelFixture fixture) : IClassFixture<DefaultModelFixture>
{
    private static readonly string[] Methods = ["gradcam", "guided-backprop"];

    private static EvaluationCase Dog => EvaluationRunner.ReadBoxes(Path.Combine(SharedFixtures.Samples, "boxes.json"),
        SharedFixtures.Samples).First(c => c.Label == "dog" && c.Image.EndsWith("dog.jpg", StringComparison.Ordinal));

    [Fact]
    public void OnePass_EveryMethod_AndAReportWithAPlotPerMetric()
    {
        var options = new EvaluationOptions { Methods = Methods, SanitySteps = 2, Faithfulness = false };
        var thumbnails = new List<EvaluationThumbnail>();

        IReadOnlyList<EvaluationResult> results = EvaluationRunner.Run(fixture.Model, [Dog], options,
            band => DefaultModel.Load(randomWeightsSeed: 3, randomizedBand: band), thumbnails: thumbnails.Add);
        EvaluationSummary summary = EvaluationSummary.Of("default", "the dog", results,
            new Dictionary<string, int> { ["sofa"] = 2 }, options);
        string html = EvaluationReport.Html(summary, thumbnails);

        string[] rowsExpected = [.. Methods, EvaluationRunner.BaselineMethod];
        Assert.Equal(rowsExpected, results.Select(r => r.Method));
        Assert.All(results, r => Assert.Equal(4, r.Randomization.Count));   // 2 cascading + 2 independent bands
        Assert.All(results, r => Assert.Equal(options.DeletionSteps + 1, r.DeletionCurve.Count));
        Assert.Equal(rowsExpected.Length, thumbnails.Count);
        // The report is well-formed XML (XHTML with inline SVG), names every method and has a plot per metric.
        XDocument document = XDocument.Parse(html.Replace("<!DOCTYPE html>", "", StringComparison.Ordinal));
        string[] rows = document.Descendants("table").Single(t => (string?)t.Attribute("id") == "metrics")
            .Descendants("tbody").Single().Elements("tr")
            .Select(tr => tr.Elements("td").First().Value).ToArray();
        Assert.Equal(rowsExpected, rows);
        string[] plots = document.Descendants("figure").Select(f => (string?)f.Attribute("id")).OfType<string>()
            .ToArray();
        // Not computed: faithfulness (switched off) and pointing on objects of the top-1 class (the bicycle is).
        string[] absent = [KnownMetrics.Faithfulness, KnownMetrics.PointingWhenRight];
        foreach ((string metric, _, _) in KnownMetrics.Registered.Where(m => !absent.Contains(m.Name)))
            Assert.Contains($"plot-{metric}", plots);
        Assert.Equal((1, 0), (summary.FailureModes!.Objects, summary.FailureModes.Top1));
        Assert.Equal(rowsExpected, document.Descendants("table").Single(t => (string?)t.Attribute("id") ==
            "failure-pointing").Descendants("tr").Skip(1).Select(tr => tr.Elements("td").First().Value));
        Assert.Contains("plot-deletion-curve", plots);
        Assert.Contains("plot-road-morf-curve", plots);
        Assert.Contains("plot-road-lerf-curve", plots);
        Assert.Contains("plot-cascading-randomization", plots);
        Assert.Equal(plots.Length, document.Descendants().Count(e => e.Name.LocalName == "svg"));
        Assert.Contains("sofa (2)", html);
        Assert.DoesNotContain("http://", html.Replace("http://www.w3.org/", "", StringComparison.Ordinal));
    }

    [Fact]
    public void Summary_MeansAndIntervals_MatchTheResults()
    {
        EvaluationResult Hit(bool hit, double iou) => new()
        {
            Method = "m", Image = $"{hit}{iou}", Label = "dog", PointingHit = hit, BoxIoU = iou, Faithfulness = 0.2,
            Deletion = 1, Insertion = 2, Probability = 0.8, ExplainedProbability = 0.6,
        };
        EvaluationResult[] results = [Hit(true, 0.7), Hit(true, 0.6), Hit(false, 0.1), Hit(true, 0.4)];

        EvaluationSummary summary = EvaluationSummary.Of("m", "hand", results, new Dictionary<string, int>(),
            new EvaluationOptions());
        IReadOnlyDictionary<string, Evaluation.MeanInterval> metrics = Assert.Single(summary.Methods).Metrics;

        Assert.Equal(0.75, metrics[KnownMetrics.Pointing].Mean);
        Assert.Equal(0.45, metrics[KnownMetrics.BoxIoU].Mean, 12);
        Assert.Equal(0.5, metrics[KnownMetrics.LocalisationError].Mean);
        Assert.Equal(25, metrics[KnownMetrics.AverageDrop].Mean, 12);
        Assert.Equal(0, metrics[KnownMetrics.Increase].Mean);
        Assert.InRange(0.75, metrics[KnownMetrics.Pointing].Low, metrics[KnownMetrics.Pointing].High);
        Assert.False(metrics.ContainsKey(KnownMetrics.Discrimination));
    }

    [Fact]
    public void Composites_HaveTwoOrMoreObjects_WithBoxesInsideTheScene()
    {
        IReadOnlyList<AnnotatedPhoto> photos = PhotoAnnotations.Read(
            Path.Combine(SharedFixtures.Samples, "boxes.json"), SharedFixtures.Samples);
        using var world = new PhotoWorld(photos, new PhotoWorldOptions { MinObjects = 2, MaxObjects = 3 });

        IReadOnlyList<EvaluationCase> cases = EvaluationRunner.Composites(world, 5, seed: 7);

        Assert.All(cases.GroupBy(c => c.Image), scene => Assert.InRange(scene.Count(), 2, 3));
        Assert.All(cases, c => Assert.Equal(cases.Count(o => o.Image == c.Image) - 1, c.Others.Count));
        EvaluationCase first = cases[0];
        using SkiaSharp.SKBitmap picture = first.Picture!();
        Assert.True(first.Box.X0 >= 0 && first.Box.Y0 >= 0 && first.Box.X1 <= picture.Width
            && first.Box.Y1 <= picture.Height);
        Assert.Equal(EvaluationRunner.Composites(world, 5, seed: 7).Select(c => (c.Image, c.Label, c.Box)),
            cases.Select(c => (c.Image, c.Label, c.Box)));
    }
}
