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

        EvaluationResult result = EvaluationRunner.Run(_fixture.Model, [dog], options,
            band => DefaultModel.Load(randomWeightsSeed: 1, randomizedBand: band)).Single();

        Assert.True(result.PointingHit);
        Assert.True(result.BoxIoU > 0.3, $"IoU {result.BoxIoU}");
        Assert.True(result.Faithfulness > 0.1, $"faithfulness {result.Faithfulness}");
        Assert.True(result.RandomizedSimilarity < 0.3,
            $"similarity to the randomized model {result.RandomizedSimilarity}");
    }

    [Fact]
    public void All_EvaluatesThePapersFourMethods()
    {
        var dog = new EvaluationCase(SharedFixtures.Sample("dog.jpg"), "dog", new Box(124, 223, 322, 541));
        IReadOnlyList<EvaluationResult> results = EvaluationRunner.Run(_fixture.Model, [dog],
            new EvaluationOptions { Methods = ["all"], Faithfulness = false });
        Assert.Equal(["gradcam", "guided-backprop", "guided-gradcam", "counterfactual"], results.Select(r => r.Method));
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
