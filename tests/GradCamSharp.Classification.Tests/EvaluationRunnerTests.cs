using GradCamSharp.Maps;
using GradCamSharp.Catalog;
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
    public void ReadBoxes_TheShippedAnnotations()
    {
        IReadOnlyList<EvaluationCase> cases =
            EvaluationRunner.ReadBoxes(Path.Combine(SharedFixtures.Samples, "boxes.json"), "samples");
        Assert.Equal(14, cases.Count);
        Assert.Contains(cases, c => c.Label == "zebra" && c.Box == new Box(245, 205, 425, 430));
    }
}
