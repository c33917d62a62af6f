using GradCamSharp.Maps;
using GradCamSharp.Methods;
using GradCamSharp.Models;
using GradCamSharp.Targets;
using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace GradCamSharp.Evaluation.Tests;

public sealed class FaithfulnessTests
{
    [Fact]
    public void Spearman_IsOneForMonotonicMinusOneForReversed_AndAveragesTies()
    {
        Assert.Equal(1.0, RankCorrelation.Spearman([1f, 2f, 3f, 10f], [0.1f, 0.2f, 5f, 6f]), 9);
        Assert.Equal(-1.0, RankCorrelation.Spearman([1f, 2f, 3f], [3f, 2f, 1f]), 9);
        Assert.Equal(0.0, RankCorrelation.Spearman([1f, 1f, 1f], [1f, 2f, 3f]));
        // Ranks with ties: (1.5, 1.5, 3) against (1, 2, 3).
        Assert.Equal(Math.Sqrt(3) / 2, RankCorrelation.Spearman([5f, 5f, 9f], [1f, 2f, 3f]), 9);
    }

    /// <summary>
    /// A linear model over a one-channel image (identity features, average pool, weight 1): occluding a patch lowers
    /// the score by exactly the patch's share of the image, and Grad-CAM's map is the image itself, so the two rank
    /// the patches identically.
    /// </summary>
    [Fact]
    public void Occlusion_OfALinearModel_RanksPatchesLikeGradCam()
    {
        using DisposeScope scope = NewDisposeScope();
        var fc = Linear(1, 1, hasBias: false);
        using (no_grad()) fc.weight!.fill_(1f);
        var model = new TorchModuleModel(Sequential(("features", Identity()), ("pool", AdaptiveAvgPool2d(1)),
            ("flatten", Flatten()), ("fc", fc)));
        manual_seed(4);
        Tensor image = rand(1, 1, 64, 64);
        var options = new OcclusionOptions { Patch = 16, Stride = 16 };

        Heatmap occlusion = Occlusion.Map(model, image, new ClassTarget(0), options);
        Explanation gradCam =
            new GradCam(model, new CamOptions { Layer = "features" }).Explain(image, new ClassTarget(0)).Single();

        Assert.Equal((4, 4), (occlusion.Width, occlusion.Height));
        float patchSum = image[0, 0, 16..32, 32..48].sum().item<float>();
        Assert.Equal(patchSum / (64 * 64), occlusion[2, 1], 5);
        Assert.Equal(1.0, Faithfulness.RankCorrelation(gradCam.Heatmap, occlusion, options), 6);
    }

    [Fact]
    public void Occlusion_KeepsTheOriginalClass_WhenTheTargetIsTopOne()
    {
        using DisposeScope scope = NewDisposeScope();
        // Two classes: class 0 reads the left half, class 1 the right half; occluding the left flips the top class.
        var fc = Linear(2, 2, hasBias: false);
        using (no_grad()) fc.weight!.copy_(tensor(new float[,] { { 1, 0 }, { 0, 1 } }));
        var model =
            new TorchModuleModel(Sequential(("pool", AdaptiveAvgPool2d(1)), ("flatten", Flatten()), ("fc", fc)));
        Tensor image = zeros(1, 2, 8, 8);
        image[0, 0] = 2f;
        image[0, 1] = 1f;

        Heatmap occlusion =
            Occlusion.Map(model, image, TopClassesTarget.Top1, new OcclusionOptions { Patch = 8, Stride = 8 });

        // Class 0's score falls from 2 to 0, though class 1 then leads.
        Assert.Equal(2f, occlusion.Values.Single(), 5);
    }

    [Fact]
    public void DeletionAndInsertion_OfALinearModel_RewardTheTrueRankingOverItsReverse()
    {
        using DisposeScope scope = NewDisposeScope();
        var fc = Linear(1, 1, hasBias: false);
        using (no_grad()) fc.weight!.fill_(1f);
        var model =
            new TorchModuleModel(Sequential(("pool", AdaptiveAvgPool2d(1)), ("flatten", Flatten()), ("fc", fc)));
        manual_seed(6);
        Tensor image = rand(1, 1, 8, 8);
        float[] values = image.flatten().data<float>().ToArray();
        var truth = new Heatmap(8, 8, values);
        var reversed = new Heatmap(8, 8, values.Select(v => -v).ToArray());

        DeletionInsertionCurves good = DeletionInsertion.Compute(model, image, new ClassTarget(0), truth, steps: 8);
        DeletionInsertionCurves bad = DeletionInsertion.Compute(model, image, new ClassTarget(0), reversed, steps: 8);

        float mean = values.Average();
        Assert.Equal(mean, good.Deletion[0], 5);        // nothing removed yet
        Assert.Equal(0f, good.Deletion[^1], 5);         // everything removed
        Assert.Equal(0f, good.Insertion[0], 5);
        Assert.Equal(mean, good.Insertion[^1], 5);
        Assert.True(good.Deletion.Zip(good.Deletion.Skip(1), (a, b) => a >= b - 1e-6f).All(x => x),
            "deletion must only lower the score");
        Assert.True(good.DeletionArea < bad.DeletionArea);
        Assert.True(good.InsertionArea > bad.InsertionArea);
    }
}
