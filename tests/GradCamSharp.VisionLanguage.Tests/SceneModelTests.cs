using GradCamSharp.Catalog;
using GradCamSharp.Methods;
using GradCamSharp.Models;
using GradCamSharp.Targets;
using GradCamSharp.Onnx;
using GradCamSharp.Scenes;
using GradCamSharp.VisionLanguage.SceneModels;
using GradCamSharp.VisionLanguage.Evaluation;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace GradCamSharp.VisionLanguage.Tests;

/// <summary>
/// The shape world's classifiers and segmenter (<c>gradcam train classifier|segmenter</c>): their ONNX export equals
/// the trained module and ONNX Runtime, training is reproducible and learns, and the evaluation's figures follow their
/// definitions.
/// </summary>
public sealed class SceneModelTests
{
    private static Module<Tensor, Tensor> Fresh(string architecture, int seed)
    {
        random.manual_seed(seed);
        Module<Tensor, Tensor> model = architecture switch
        {
            SceneModelRecipe.Transformer => new SceneTransformer(25),
            SceneModelRecipe.Swin => new SceneSwin(25),
            SceneModelRecipe.ConvNet => new SceneConvNet(25),
            SceneModelRecipe.Detector => new SceneDetector(25),
            _ => new SceneSegmenter(26),
        };
        // BatchNorm's running statistics moved from their defaults, so that folding them into the export is tested.
        model.train();
        using (no_grad()) model.call(randn(8, 3, 128, 128) * 2 + 0.5);
        model.eval();
        return model;
    }

    /// <summary>A fresh model of <paramref name="architecture"/> exported and imported again.</summary>
    private static OnnxExplainableModel Exported(string architecture, int seed)
    {
        using Module<Tensor, Tensor> model = Fresh(architecture, seed);
        return new OnnxExplainableModel(OnnxModule.Load(SceneModelExport.Export(model, architecture), null,
            architecture));
    }

    [Theory]
    [InlineData(SceneModelRecipe.Transformer)]
    [InlineData(SceneModelRecipe.Swin)]
    [InlineData(SceneModelRecipe.ConvNet)]
    [InlineData(SceneModelRecipe.Segmenter)]
    [InlineData(SceneModelRecipe.Detector)]
    public void Export_EqualsTheModule_TheImport_AndOnnxRuntime(string architecture)
    {
        using var scope = NewDisposeScope();
        using Module<Tensor, Tensor> model = Fresh(architecture, 7);
        Tensor input = randn(2, 3, 128, 128);
        float[] expected;
        using (no_grad()) expected = model.call(input).data<float>().ToArray();
        string path = Path.Combine(Path.GetTempPath(), $"scene-{architecture}-{Guid.NewGuid():N}.onnx");
        try
        {
            File.WriteAllBytes(path, SceneModelExport.Export(model, architecture));
            float[] runtime = OnnxRuntimeOracle.Run(path, SceneModelExport.InputName,
                input.data<float>().ToArray(), input.shape);
            OnnxRuntimeOracle.AssertAgrees(expected, runtime, "ONNX Runtime on the export");
            using var imported = new OnnxExplainableModel(OnnxModule.Load(path));
            float[] import;
            using (no_grad())
            using (imported.BeginExplanation())
                import = imported.Forward(input, ForwardTaps.None).data<float>().ToArray();
            OnnxRuntimeOracle.AssertAgrees(expected, import, "the import of the export");
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void TransformerExport_AutoIsTheLastBlocksFirstNorm_AndEveryBlocksAttentionIsFound()
    {
        using var scope = NewDisposeScope();
        using OnnxExplainableModel explained = Exported(SceneModelRecipe.Transformer, 11);

        LayerInfo auto = ModelLayers.FindAuto(explained, randn(1, 3, 128, 128));

        // Not the wider query-key-value projection after it, which the gradient also reaches at every token.
        Assert.Equal($"/blocks.{SceneTransformer.Depth - 1}/norm1/LayerNormalization_output_0", auto.Name);
        Assert.Equal(SceneTransformer.Depth, explained.AttentionLayers.Count);
    }

    [Fact]
    public void SwinExport_BlocksAreChannelsLastMaps_AutoIsTheFinalNormItsHeadPools_AndEachWindowAttentionIsFound()
    {
        using var scope = NewDisposeScope();
        using OnnxExplainableModel explained = Exported(SceneModelRecipe.Swin, 17);
        Tensor input = randn(1, 3, 128, 128);

        Assert.Equal("/norm/LayerNormalization_output_0", ModelLayers.FindAuto(explained, input).Name);
        int last = 2 * SceneSwin.BlocksPerStage - 1;
        foreach (string norm in new[] { "norm1", "norm2" })
        {
            string layer = explained.FindLayer($"blocks.{last}.{norm}")!;
            Assert.Equal($"/blocks.{last}/{norm}/LayerNormalization_output_0", layer);
            // [1, 8, 8, 128] channels-last: explained as the [1, 128, 8, 8] map it is, with nothing configured.
            Explanation map = new GradCam(explained, new CamOptions { Layer = layer })
                .Explain(input, new ClassTarget(3)).Single();
            Assert.Equal([8, 8], new[] { map.RawMap!.Height, map.RawMap.Width });
        }
        Assert.Equal(2 * SceneSwin.BlocksPerStage, explained.AttentionLayers.Count);
    }

    [Fact]
    public void SwinMask_KeepsTokensTheShiftBroughtTogetherApart()
    {
        using var scope = NewDisposeScope();
        // An 8x8 grid in 4x4 windows shifted by 2: the first window holds one region, the last window four.
        float[,,] mask = SwinBlock.Mask(8, 8).data<float>().ToArray() is float[] flat
            ? To3D(flat, 4, SwinBlock.WindowTokens) : throw new InvalidOperationException();
        for (int i = 0; i < SwinBlock.WindowTokens; i++)
        {
            for (int j = 0; j < SwinBlock.WindowTokens; j++)
            {
                Assert.Equal(0f, mask[0, i, j]);
                // In the last window, token (row, column) came from region (row >= 2, column >= 2).
                bool same = (i / 4 >= 2) == (j / 4 >= 2) && (i % 4 >= 2) == (j % 4 >= 2);
                Assert.Equal(same ? 0f : -100f, mask[3, i, j]);
            }
        }
    }

    private static float[,,] To3D(float[] flat, int windows, int tokens)
    {
        var result = new float[windows, tokens, tokens];
        for (int k = 0; k < flat.Length; k++) result[k / (tokens * tokens), k / tokens % tokens, k % tokens] = flat[k];
        return result;
    }

    [Fact]
    public void SegmenterExport_AutoIsTheBackbonesLastMap()
    {
        using var scope = NewDisposeScope();
        using OnnxExplainableModel explained = Exported(SceneModelRecipe.Segmenter, 13);

        Assert.Equal($"/backbone/{ShapeEncoder.OutputLayer}/Relu_output_0",
            ModelLayers.FindAuto(explained, randn(1, 3, 128, 128)).Name);
    }

    [Theory]
    // The transformer learns slowly at first (its loss starts at the priors'); the CNNs fall fast.
    [InlineData(SceneModelRecipe.Transformer, 0.98)]
    [InlineData(SceneModelRecipe.Swin, 0.98)]
    [InlineData(SceneModelRecipe.ConvNet, 0.92)]
    [InlineData(SceneModelRecipe.Segmenter, 0.8)]
    [InlineData(SceneModelRecipe.Detector, 0.9)]
    public void Train_SameSeedGivesTheSameFile_AndTheLossFalls(string architecture, double atMost)
    {
        var recipe = new SceneModelRecipe
        {
            Architecture = architecture, Scenes = 192, Epochs = 3, HeldOutScenes = 16, LearningRate = 3e-3,
        };

        (byte[] first, IReadOnlyList<EpochReport> epochs) = SceneModelTrainer.Train(recipe);
        (byte[] again, _) = SceneModelTrainer.Train(recipe);

        Assert.Equal(first, again);
        Assert.True(epochs[^1].Loss < atMost * epochs[0].Loss,
            $"loss {epochs[0].Loss:0.000} -> {epochs[^1].Loss:0.000}");
    }

    [Fact]
    public void Train_Cancelled_StopsWithoutAModel()
    {
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();

        Assert.Throws<OperationCanceledException>(() => SceneModelTrainer.Train(
            new SceneModelRecipe { Scenes = 64, Epochs = 1 }, cancellation: cancelled.Token));
    }

    [Fact]
    public void Evaluation_RefusesAModelOfOtherClasses_AndTheTrainingSeeds()
    {
        using LoadedModel other = ModelCatalog.Load(KnownModels.Default, new ModelLoadOptions());
        Assert.Contains("not a shape-world classifier", Assert.Throws<UsageException>(() =>
            VisionLanguageEvaluator.EvaluateClassifier(other, 1, 1000)).Message);
        using LoadedModel vit = ModelCatalog.Load(KnownModels.ShapesVit, new ModelLoadOptions());
        Assert.Throws<UsageException>(() => VisionLanguageEvaluator.EvaluateClassifier(vit, 1, 2));
        Assert.Contains("not a shape-world segmenter", Assert.Throws<UsageException>(() =>
            VisionLanguageEvaluator.EvaluateSegmenter(vit, 1, 1000)).Message);
    }

    [Fact]
    public void PixelLabels_AreEachVisiblePixelsPair_AndTheBackgroundElsewhere()
    {
        using var world = new ShapeWorld();
        using Scene scene = world.Generate(31, 0);

        byte[] labels = SceneModelTrainer.PixelLabels(scene);

        for (int i = 0; i < labels.Length; i++)
        {
            SceneObject? shown = scene.Objects.LastOrDefault(o => o.Mask[i]);
            Assert.Equal(shown is null ? "background" : shown.Name, SceneModelTrainer.SegmenterClasses[labels[i]]);
        }
    }

    [Fact]
    public void MeanIoU_OfAConfusionMatrix_IsTheMeanOverClassesThatOccur()
    {
        // Rows: true class; columns: predicted. Class 0: 8 right, 2 called 1; class 1: 3 right, 1 called 0; class 2
        // never occurs but is predicted once for class 1.
        using Tensor confusion = tensor(new long[] { 8, 2, 0, 1, 3, 1, 0, 0, 0 }).reshape(3, 3);

        double meanIoU = SceneModelTrainer.MeanIoU(confusion);

        Assert.Equal((8.0 / (8 + 2 + 1) + 3.0 / (3 + 1 + 1 + 2)) / 2, meanIoU, 12);
    }
}
