using GradCamSharp.Imaging;
using GradCamSharp.Maps;
using GradCamSharp.Methods;
using GradCamSharp.Models;
using GradCamSharp.Catalog.Heads;
using GradCamSharp.Scenes;
using GradCamSharp.Targets;
using SkiaSharp;
using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace GradCamSharp.Catalog.Tests;

public sealed class HeadTests
{
    private static IReadOnlyList<AnnotatedPhoto> Photos =>
        PhotoAnnotations.Read(Path.Combine(SharedFixtures.Samples, "boxes.json"), SharedFixtures.Samples);

    [Fact]
    public void LinearHead_GradCam_EqualsItsClassActivationMap()
    {
        using DisposeScope scope = NewDisposeScope();
        manual_seed(4);
        var features = new TorchModuleModel(Sequential(("conv", Conv2d(3, 4, 3, padding: 1)), ("relu", ReLU())));
        float[][] weights = [[1f, -2f, 0.5f, 3f], [-1f, 1f, 2f, 0f]];
        using var head = new LinearHead(features, ["a", "b"], weights, [0.3f, -0.2f], background: "b");
        Tensor input = randn(1, 3, 6, 6);
        Tensor maps;
        using (no_grad()) maps = features.Forward(input, ForwardTaps.None)[0];

        Explanation explanation = new GradCam(head).Explain(input, new ClassTarget(0)).Single();

        // CAM: relu(sum_k W[a, k] A_k) / (h w) for Grad-CAM's mean of the constant gradient W[a, k] / (h w).
        float[] cam = einsum("k,kij->ij", tensor(weights[0]), maps).relu().div(36).data<float>().ToArray();
        Tolerance.AssertClose(cam, explanation.RawMap!.Values, 1e-5);
        Assert.Equal(1, head.BackgroundIndex);
    }

    [Fact]
    public void CellLabels_ObjectsOwnTheCellsTheyCover_ThinOnesAtALowerCover()
    {
        // A 40x40 scene over a 4x4 grid of 10x10 cells: a wide object over the top-left cell and half of the next,
        // and a thin vertical one (3 pixels wide, under a cell) down the third column.
        bool[] wide = new bool[1600], thin = new bool[1600];
        for (int y = 0; y < 10; y++) for (int x = 0; x < 15; x++) wide[y * 40 + x] = true;
        for (int y = 0; y < 40; y++) for (int x = 24; x < 27; x++) thin[y * 40 + x] = true;
        using var scene = new Scene
        {
            Index = 0,
            Image = new SKBitmap(40, 40),
            Objects = [new SceneObject("dog", null, new Box(0, 0, 15, 10), wide),
                new SceneObject("rocket", null, new Box(24, 0, 27, 40), thin)],
        };

        (long[] cells, float[] target, bool[] present) =
            HeadTrainer.CellLabels(scene, ["dog", "rocket", "background"], 4, 4);

        Assert.Equal(0, cells[0]);                 // covered fully by the dog
        Assert.Equal(0, cells[1]);                 // half covered by the dog: at least 40%
        Assert.All(new[] { 2, 6, 10, 14 }, i => Assert.Equal(1, cells[i]));   // 30% cover, but the rocket is thin
        Assert.Equal(2, cells[15]);                // nothing there: background
        Assert.Equal([true, true, false], present);
        // 2 dog cells, 4 rocket cells, 10 background cells: the scene holds objects, so they get half of the target.
        Assert.Equal(1f, target.Sum(), 5);
        Assert.Equal(0.5f * 2 / 6, target[0], 5);
        Assert.Equal(0.5f * 4 / 6, target[1], 5);
        Assert.Equal(0.5f, target[2], 5);
    }

    [Fact]
    public void ShortTraining_LowersTheLossWellBelowItsStart_AndBeatsChance()
    {
        using IExplainableModel features = DefaultModel.LoadFeatures();
        var options = new HeadTrainingOptions { Seed = 5, Composites = 40, Crops = 40, Steps = 80 };
        string[] classes = ["dog", "bicycle", "person", "horse", "giraffe", "zebra"];

        TrainedHead head = HeadTrainer.Train(features, DefaultModel.Preprocessing, Photos, classes, options);

        Assert.Equal([.. classes, "background"], head.Labels);
        Assert.True(head.LastLoss < head.FirstLoss / 3, $"loss {head.FirstLoss} -> {head.LastLoss}");
        // Chance is 1 in 7 per cell; held-out scenes are ones the training never saw.
        Assert.True(head.HeldOut.CellAccuracy > 0.6, $"held-out cell accuracy {head.HeldOut.CellAccuracy}");
        Assert.True(head.HeldOut.Scenes >= 8);
    }

    [Fact]
    public void ShippedHead_IsReproducedByItsOwnRecipe()
    {
        HeadFile shipped = HeadFile.Load(DefaultModel.HeadFile);
        HeadFile retrained =
            DefaultModel.TrainHead(shipped.Training, Path.Combine(SharedFixtures.Samples, "boxes.json"),
            SharedFixtures.Samples);

        Assert.Equal(shipped.Labels, retrained.Labels);
        Assert.Equal(shipped.Examples.Keys.Order(), retrained.Examples.Keys.Order());
        for (int k = 0; k < shipped.Labels.Count; k++)
        {
            float[] a = shipped.Weights[k], b = retrained.Weights[k];
            double cosine = a.Zip(b, (x, y) => (double)x * y).Sum()
                / Math.Sqrt(a.Sum(x => (double)x * x) * b.Sum(y => (double)y * y) + 1e-30);
            // The background row is zero by construction (the other rows are measured against it).
            if (shipped.Labels[k] == HeadTrainer.BackgroundLabel) Assert.All(b, v => Assert.Equal(0f, v));
            else Assert.True(cosine > 0.999, $"{shipped.Labels[k]}: the shipped weights differ from a retraining " +
                $"(cosine {cosine:0.00000}); run ./gradcam train-head");
        }
        Assert.Equal(shipped.HeldOut!.CellAccuracy, retrained.HeldOut!.CellAccuracy, 2);
    }

    [Fact]
    public void ConceptHead_FromTwoBoxedExamples_TellsThemApartOnTheirPhoto()
    {
        int[] horseBox = SharedFixtures.SampleBox("person.jpg", "horse"),
            personBox = SharedFixtures.SampleBox("person.jpg", "person");
        string photo = SharedFixtures.Sample("person.jpg");
        Concept[] concepts =
        [
            Concept.Parse($"pony={photo}#{string.Join(',', horseBox)}"),
            Concept.Parse($"walker={photo}#{string.Join(',', personBox)}"),
        ];
        using LoadedModel model = ModelCatalog.Load(KnownModels.Default, new ModelLoadOptions { Concepts = concepts });
        Assert.Equal(["pony", "walker", "background"], model.Labels);

        using DisposeScope scope = NewDisposeScope();
        using SKBitmap bitmap = ImageLoader.Load(photo);
        PreparedImage prepared = ImagePreprocessor.Prepare(bitmap, model.Preprocessing);
        foreach ((int classIndex, int[] box) in new[] { (0, horseBox), (1, personBox) })
        {
            Explanation explanation =
                new GradCam(model.Model).Explain(prepared.ToTensor(), new ClassTarget(classIndex)).Single();
            (int x, int y) = prepared.ToOriginal(explanation.Heatmap).Peak;
            Assert.True(new Box(box[0], box[1], box[2], box[3]).Contains(x, y),
                $"{model.Labels![classIndex]}: peak ({x}, {y})");
        }
    }
}
