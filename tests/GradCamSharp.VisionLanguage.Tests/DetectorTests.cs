using GradCamSharp.Catalog;
using GradCamSharp.Maps;
using GradCamSharp.Methods;
using GradCamSharp.Models;
using GradCamSharp.Onnx;
using GradCamSharp.Scenes;
using GradCamSharp.Targets;
using GradCamSharp.VisionLanguage.Evaluation;
using GradCamSharp.VisionLanguage.SceneModels;
using static TorchSharp.torch;

namespace GradCamSharp.VisionLanguage.Tests;

/// <summary>
/// The shape world's single-tensor detector: its truth per cell decodes back to the scene's boxes, average precision
/// follows its definition, its automatic layer is the backbone's end, and the shipped weights keep the README's
/// numbers.
/// </summary>
public sealed class DetectorTests
{
    [Theory]
    [InlineData(31)]
    [InlineData(977)]
    public void TruthPerCell_DecodesBackToTheScenesBoxes(int seed)
    {
        using var world = new ShapeWorld();
        using var scope = NewDisposeScope();
        for (int i = 0; i < 6; i++)
        {
            using Scene scene = world.Generate(seed, i);
            Tensor truth = tensor(SceneDetections.Truth(scene, SceneModelTrainer.Classes))
                .reshape(SceneDetections.TruthChannels, 16, 16);
            IReadOnlyList<Detection> decoded = Detection.Decode(SceneDetections.AsOutput(truth, 25), scene.Width,
                scene.Height, SceneDetector.Anchor, 0.5f, 1f);
            IReadOnlyList<(Box Box, int ClassIndex)> boxes = SceneDetections.Boxes(scene, SceneModelTrainer.Classes);
            // Each object whose centre has a cell of its own comes back, its box within a pixel.
            Assert.True(decoded.Count >= boxes.Count - 1 && decoded.Count <= boxes.Count);
            foreach (Detection detection in decoded)
            {
                Assert.Contains(boxes, b => b.ClassIndex == detection.ClassIndex
                    && Math.Abs(b.Box.X0 - detection.Box.X0) <= 1 && Math.Abs(b.Box.Y1 - detection.Box.Y1) <= 1);
            }
        }
    }

    /// <summary>The photo world at the detector's input size, cut from the shipped sample photos.</summary>
    private static PhotoWorld SamplePhotoWorld() => SceneModelTrainer.PhotoWorldAt(
        PhotoAnnotations.Read(Path.Combine(SharedFixtures.Samples, "boxes.json"), SharedFixtures.Samples));

    [Fact]
    public void ThePhotoWorldsTruthPerCell_DecodesBackToItsBoxes_ByLabel()
    {
        using PhotoWorld world = SamplePhotoWorld();
        using var scope = NewDisposeScope();
        IReadOnlyList<string> classes = SceneModelTrainer.ClassesOf(world);
        Assert.Equal(world.Labels, classes);
        Assert.Contains("dog", classes);
        for (int i = 0; i < 6; i++)
        {
            using Scene scene = world.Generate(4141, i);
            Assert.Equal(SceneModelTrainer.Preprocessing.Width, scene.Width);
            Tensor truth = tensor(SceneDetections.Truth(scene, classes)).reshape(SceneDetections.TruthChannels, 16, 16);
            IReadOnlyList<Detection> decoded = Detection.Decode(SceneDetections.AsOutput(truth, classes.Count),
                scene.Width, scene.Height, SceneDetector.Anchor, 0.5f, 1f);
            IReadOnlyList<(Box Box, int ClassIndex)> boxes = SceneDetections.Boxes(scene, classes);
            Assert.True(decoded.Count >= boxes.Count - 1 && decoded.Count <= boxes.Count);
            foreach (Detection detection in decoded)
            {
                Assert.Contains(boxes, b => b.ClassIndex == detection.ClassIndex
                    && Math.Abs(b.Box.X0 - detection.Box.X0) <= 1 && Math.Abs(b.Box.Y1 - detection.Box.Y1) <= 1);
            }
        }
    }

    [Fact]
    public void APhotoWorldDetector_TrainsReproducibly_AndItsLossFalls()
    {
        using PhotoWorld world = SamplePhotoWorld();
        var recipe = SceneModelRecipe.For(SceneModelRecipe.Detector, SceneWorlds.Photos) with
        {
            Scenes = 256, Epochs = 4, HeldOutScenes = 16, LearningRate = 3e-3,
        };
        Assert.Equal("photos-detector", recipe.ModelName);

        (byte[] first, IReadOnlyList<EpochReport> epochs) = SceneModelTrainer.Train(recipe, world);
        (byte[] again, _) = SceneModelTrainer.Train(recipe, world);

        Assert.Equal(first, again);
        Assert.True(epochs[^1].Loss < 0.9 * epochs[0].Loss, $"loss {epochs[0].Loss:0.000} -> {epochs[^1].Loss:0.000}");
        // A segmenter or classifier is trained on the shape world only; a recipe is for one world.
        Assert.Throws<UsageException>(() => (recipe with { Architecture = SceneModelRecipe.Segmenter }).Validate());
        Assert.Throws<UsageException>(() => SceneModelTrainer.Train(recipe with { World = SceneWorlds.Shapes }, world));
    }

    [Fact]
    public void ShippedPhotosDetector_FindsTheObjects_AndHiResCamPointsInsideTheirBoxes()
    {
        using LoadedModel detector = ModelCatalog.Load(KnownModels.PhotosDetector, new ModelLoadOptions());
        using PhotoWorld world = SamplePhotoWorld();
        Assert.Equal(world.Labels, detector.Labels);

        // 60 scenes of a seed used nowhere in training; the README's table: 500 of seed 1000.
        VisionLanguageReport report = VisionLanguageEvaluator.EvaluateDetector(detector, 60, 2024,
            [KnownMethods.GradCam, "hirescam", "layercam"], world: world);

        // Measured on 500 scenes of seed 1000: mAP@0.5 0.776; pointing HiResCAM 0.945, LayerCAM 0.957, Grad-CAM 0.775.
        Assert.Equal("photos", report.World);
        Assert.True(report.MeanAveragePrecision >= 0.65, $"mAP@0.5 {report.MeanAveragePrecision:0.000}");
        LocalisationScore Score(string method) => report.Localisation.Single(s => s.Method == method);
        Assert.True(Score("hirescam").Pointing >= 0.85, $"HiResCAM pointing {Score("hirescam").Pointing:0.000}");
        Assert.True(Score("layercam").Pointing >= 0.85, $"LayerCAM pointing {Score("layercam").Pointing:0.000}");
        Assert.True(Score("hirescam").Ratio > 40, $"HiResCAM inside/outside {Score("hirescam").Ratio:0.0}");
        // The shape world's detector is not a photo-world one.
        using LoadedModel shapes = ModelCatalog.Load(KnownModels.ShapesDetector, new ModelLoadOptions());
        Assert.Contains("not a photo-world detector", Assert.Throws<UsageException>(() =>
            VisionLanguageEvaluator.EvaluateDetector(shapes, 2, 2024, world: world)).Message);
    }

    [Fact]
    public void AveragePrecision_FollowsItsDefinition()
    {
        // Ranked hit, miss, hit of 3 objects: precision 1, 1/2, 2/3, made monotone 1, 2/3, 2/3, at recall 1/3, 1/3,
        // 2/3.
        Assert.Equal(1.0 / 3 + 2.0 / 9, SceneDetections.AveragePrecision([true, false, true], 3), 12);
        Assert.Equal(1, SceneDetections.AveragePrecision([true, true], 2));
        Assert.Equal(0, SceneDetections.AveragePrecision([false], 1));
        var box = new Box(10, 10, 30, 30);
        IReadOnlyList<(Box, int)> truth = [(box, 4)];
        var exact = new Detection(box, 4, 0.9f, 1, 1);
        Assert.Equal(1, SceneDetections.MeanAveragePrecision([[exact]], [truth]));
        // The same box of another pair, or half off its object, finds nothing; a duplicate is a false positive.
        Assert.Equal(0, SceneDetections.MeanAveragePrecision([[exact with { ClassIndex = 5 }]], [truth]));
        Assert.Equal(0, SceneDetections.MeanAveragePrecision([[exact with { Box = new Box(20, 10, 40, 30) }]],
            [truth]));
        Assert.Equal(1, SceneDetections.MeanAveragePrecision([[exact, exact with { Score = 0.5f }]], [truth]));
        Assert.Equal(0.5, SceneDetections.MeanAveragePrecision([[exact with { Score = 0.5f },
            exact with { Box = new Box(50, 50, 60, 60) }]], [truth]));
    }

    [Fact]
    public void Export_AutoIsTheBackbonesEnd_NotTheHeadsHiddenLayer()
    {
        using var scope = NewDisposeScope();
        random.manual_seed(5);
        using var model = new SceneDetector(25);
        model.eval();
        using OnnxModule module = OnnxModule.Load(SceneModelExport.Export(model, "detector"), null, "detector");
        using var explained = new OnnxExplainableModel(module);
        Assert.Equal("/backbone/relu4/Relu_output_0", ModelLayers.FindAuto(explained, randn(1, 3, 128, 128)).Name);
    }

    [Fact]
    public void ShippedShapesDetector_FindsTheObjects_AndHiResCamPointsInsideTheirBoxes()
    {
        using LoadedModel detector = ModelCatalog.Load(KnownModels.ShapesDetector, new ModelLoadOptions());

        // 60 scenes of a seed used nowhere in training; the README's table: 500 of seed 1000.
        VisionLanguageReport report = VisionLanguageEvaluator.EvaluateDetector(detector, 60, 2024,
            [KnownMethods.GradCam, "hirescam", "layercam"]);

        // Measured on 500 scenes of seed 1000: mAP@0.5 0.984; pointing HiResCAM 0.927, LayerCAM 0.927, Grad-CAM 0.144.
        Assert.True(report.MeanAveragePrecision >= 0.93, $"mAP@0.5 {report.MeanAveragePrecision:0.000}");
        LocalisationScore Score(string method) => report.Localisation.Single(s => s.Method == method);
        Assert.True(Score("hirescam").Pointing >= 0.85, $"HiResCAM pointing {Score("hirescam").Pointing:0.000}");
        Assert.True(Score("layercam").Pointing >= 0.85, $"LayerCAM pointing {Score("layercam").Pointing:0.000}");
        Assert.True(Score(KnownMethods.GradCam).Pointing < Score("hirescam").Pointing - 0.4, "Grad-CAM loses the cell");
        Assert.True(Score("hirescam").Ratio > 40, $"HiResCAM inside/outside {Score("hirescam").Ratio:0.0}");
        using LoadedModel classifier = ModelCatalog.Load(KnownModels.ShapesCnn, new ModelLoadOptions());
        Assert.Contains("no shape-world detector", Assert.Throws<UsageException>(() =>
            VisionLanguageEvaluator.EvaluateDetector(classifier, 2, 2024)).Message);
    }
}
