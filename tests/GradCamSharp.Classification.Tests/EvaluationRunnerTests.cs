using GradCamSharp.Maps;
using GradCamSharp.Catalog;
using GradCamSharp.Evaluation;
using SkiaSharp;
namespace GradCamSharp.Classification.Tests;

public sealed class EvaluationRunnerTests : IClassFixture<DefaultModelFixture>
{
    private readonly DefaultModelFixture _fixture;

    public EvaluationRunnerTests(DefaultModelFixture fixture) => _fixture = fixture;

    [Fact]
    public void GradCamOnTheDog_HitsIsFaithful_AndDiffersFromTheRandomizedModel()
    {
        var dog = new EvaluationCase(SharedFixtures.Sample("dog.jpg"), "dog", new Box(124, 223, 322, 541));
        var options = new EvaluationOptions { Methods = ["gradcam"], SanitySteps = 1 };

        IReadOnlyList<EvaluationResult> results = EvaluationRunner.Run(_fixture.Model, [dog], options,
            band => DefaultModel.Load(randomWeightsSeed: 1, randomizedBand: band));
        Assert.Equal(["gradcam", EvaluationRunner.BaselineMethod], results.Select(r => r.Method));
        EvaluationResult result = results[0];

        Assert.True(result.PointingHit);
        Assert.True(result.BoxIoU > 0.3, $"IoU {result.BoxIoU}");
        Assert.True(result.Faithfulness > 0.1, $"faithfulness {result.Faithfulness}");
        Assert.True(result.RandomizedSimilarity < 0.3,
            $"similarity to the randomized model {result.RandomizedSimilarity}");
        // ROAD: removing what the map ranks first costs the dog more than removing what it ranks last.
        Assert.True(result.RoadMostRelevantFirst < result.RoadLeastRelevantFirst && result.Road > 0,
            $"ROAD MoRF {result.RoadMostRelevantFirst}, LeRF {result.RoadLeastRelevantFirst}");
        Assert.InRange(result.Arcc!.Value, 0, 1);
        Assert.Equal(9, result.RoadMostRelevantFirstCurve.Count);
    }

    [Fact]
    public void All_EvaluatesThePapersFourMethods()
    {
        var dog = new EvaluationCase(SharedFixtures.Sample("dog.jpg"), "dog", new Box(124, 223, 322, 541));
        IReadOnlyList<EvaluationResult> results = EvaluationRunner.Run(_fixture.Model, [dog],
            new EvaluationOptions { Methods = ["all"], Faithfulness = false });
        Assert.Equal(["gradcam", "guided-backprop", "guided-gradcam", "counterfactual",
            EvaluationRunner.BaselineMethod], results.Select(r => r.Method));
    }

    [Fact]
    public void Cancelled_StopsBeforeTheNextMethod_NotTheNextObject()
    {
        // A run that stopped only between objects (as it once did) went on to measure every method's map of the object
        // under way: with all 27 methods a minute or more, past the command's grace after a signal.
        EvaluationCase[] cases = [.. EvaluationRunner.ReadBoxes(Path.Combine(SharedFixtures.Samples, "boxes.json"),
            SharedFixtures.Samples).Where(c => Path.GetFileName(c.Image) == "dog.jpg")];
        var options = new EvaluationOptions
        {
            Methods = ["gradcam", "gradient"], Faithfulness = false, Road = false, SanitySteps = 0, Baseline = false,
        };
        using var cancellation = new CancellationTokenSource();
        var measured = new List<string>();

        Assert.Throws<OperationCanceledException>(() => EvaluationRunner.Run(_fixture.Model, cases, options,
            thumbnails: t =>
            {
                measured.Add($"{t.Label} {t.Method}");
                cancellation.Cancel();
            }, cancellation: cancellation.Token));

        Assert.Equal(3, cases.Length);
        Assert.Equal([$"{cases[0].Label} gradcam"], measured);
    }

    [Fact]
    public void ReadBoxes_TheShippedAnnotations()
    {
        IReadOnlyList<EvaluationCase> cases =
            EvaluationRunner.ReadBoxes(Path.Combine(SharedFixtures.Samples, "boxes.json"), "samples");
        Assert.Equal(14, cases.Count);
        Assert.Contains(cases, c => c.Label == "zebra" && c.Box == new Box(245, 205, 425, 430));
    }

    [Fact]
    public void FailureModes_ThreeObjectsOnePhoto_RanksAgreeWithTheModelAndEveryMissIsPictured()
    {
        // Three objects of three classes in one photo: at most one can be the top-1, so the others are misses.
        EvaluationCase[] cases = [.. EvaluationRunner.ReadBoxes(Path.Combine(SharedFixtures.Samples, "boxes.json"),
            SharedFixtures.Samples).Where(c => Path.GetFileName(c.Image) == "dog.jpg")];
        var failures = new List<EvaluationFailure>();
        var options = new EvaluationOptions
        {
            Methods = ["gradcam"], Faithfulness = false, Road = false, SanitySteps = 0, Baseline = false,
        };

        IReadOnlyList<EvaluationResult> results = EvaluationRunner.Run(_fixture.Model, cases, options,
            failures: failures.Add);

        using SKBitmap photo = SKBitmap.Decode(cases[0].Image);
        IReadOnlyList<RankedClass> ranking = ClassRanking.Rank(_fixture.Model, photo, int.MaxValue);
        foreach (EvaluationResult result in results)
        {
            int rank = 1 + ranking.Select(r => r.Label).ToList().IndexOf(result.Label);
            Assert.Equal(rank, result.TrueRank);
            Assert.Equal(ranking[0].Label, result.Predicted);
            Assert.Equal(rank == 1 ? null : cases.Any(c => c.Label == ranking[0].Label), result.PredictedOtherObject);
        }
        Assert.True(results.Count(r => r.TrueRank == 1) <= 1);
        EvaluationResult[] missed = [.. results.Where(r => r.TrueRank > 1)];
        Assert.True(missed.Length >= 2);
        Assert.Equal(missed.Select(r => r.Label), failures.Select(f => f.Label));
        foreach (EvaluationFailure failure in failures)
        {
            using SKBitmap panels = SKBitmap.Decode(failure.Png);
            Assert.Equal(3 * 160 + 8, panels.Width);
            Assert.Equal(ranking[0].Label, failure.Predicted);
        }
        EvaluationSummary summary = EvaluationSummary.Of("default", "dog.jpg", results, new Dictionary<string, int>(),
            options);
        Assert.Equal(missed.Average(r => r.PointingHit ? 1.0 : 0),
            summary.Methods[0].Metrics[KnownMetrics.PointingWhenWrong].Mean, 9);
        Assert.Equal(results.Count - missed.Length, summary.FailureModes!.Top1);
    }

    [Fact]
    public void FailureModes_CountsMissesByWhatTheModelSaidInstead()
    {
        static EvaluationResult Row(string label, string predicted, int rank, bool? other) => new()
        {
            Method = "gradcam", Image = "a.png", Label = label, PointingHit = true, BoxIoU = 0, Deletion = 0,
            Insertion = 0, Predicted = predicted, TrueRank = rank, PredictedOtherObject = other,
        };
        EvaluationResult[] rows =
        [
            Row("dog", "dog", 1, null), Row("truck", "dog", 3, true), Row("truck", "dog", 5, true),
            Row("cat", "fox", 2, false), Row("cup", "cup", 1, null),
        ];

        FailureModes modes = FailureModes.Of(rows)!;

        Assert.Equal((5, 2, 2, 1), (modes.Objects, modes.Top1, modes.WrongToOtherObject, modes.WrongToAbsentClass));
        Assert.Equal(3, modes.MedianRankWhenWrong);
        Assert.Equal(["truck -> dog", "cat -> fox"], modes.Confusions.Keys);
        Assert.Equal(2, modes.Confusions["truck -> dog"]);
        Assert.Null(FailureModes.Of([]));
    }
}
