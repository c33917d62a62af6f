using GradCamSharp.Imaging;
using GradCamSharp.Methods;
using GradCamSharp.Onnx;
using GradCamSharp.Targets;
using SkiaSharp;
using TorchSharp;
using static TorchSharp.torch;

namespace GradCamSharp.Catalog.Tests;

/// <summary>
/// The two real, trained ONNX models: the import equals ONNX Runtime, and their explanations make sense.
/// </summary>
public sealed class RealModelTests
{
    private static string TextModel => SharedFixtures.Require("fixtures/onnx/text_orientation_ppocr_cls.onnx");

    private static string Sample(string name) => Path.Combine(SharedFixtures.RepositoryRoot, "samples", name);

    private static float[] Prepare(string photo, Preprocessing preprocessing)
    {
        using SKBitmap bitmap = ImageLoader.Load(photo);
        return ImagePreprocessor.Prepare(bitmap, preprocessing).Values;
    }

    [Theory]
    [InlineData("ResNet18.onnx", "Input247", "dog.jpg")]
    [InlineData("ResNet18.onnx", "Input247", "random")]
    [InlineData("ResNetPreprocess.onnx", "OriginalInput", "person.jpg")]
    public void DefaultModelGraphs_EqualOnnxRuntime(string file, string input, string photo)
    {
        string path = Path.Combine(DefaultModel.ModelFolder, file);
        using OnnxModule module = OnnxModule.Load(path);
        using DisposeScope scope = NewDisposeScope();
        manual_seed(3);
        float[] values = photo == "random"
            ? (randn(1, 3, 224, 224) * 60).data<float>().ToArray()
            : Prepare(Sample(photo), DefaultModel.Preprocessing).Select(v => v - 110f).ToArray();
        using var noGrad = no_grad();
        float[] actual = module.call(tensor(values).reshape(1, 3, 224, 224)).data<float>().ToArray();
        OnnxRuntimeOracle.AssertAgrees(OnnxRuntimeOracle.Run(path, input, values, [1, 3, 224, 224]), actual,
            $"{file} on {photo}");
    }

    [SkippableTheory]
    [InlineData("text/textline_upright.png")]
    [InlineData("text/textline_rotated180.png")]
    [InlineData("random")]
    public void TextOrientationClassifier_EqualsOnnxRuntime(string photo)
    {
        using OnnxModule module = OnnxModule.Load(TextModel);
        using DisposeScope scope = NewDisposeScope();
        manual_seed(5);
        float[] values = photo == "random" ? randn(1, 3, 48, 192).data<float>().ToArray() : Prepare(Sample(photo),
            KnownPreprocessing.PaddleOcrTextLine);
        using var noGrad = no_grad();
        float[] actual = module.call(tensor(values).reshape(1, 3, 48, 192)).data<float>().ToArray();
        OnnxRuntimeOracle.AssertAgrees(OnnxRuntimeOracle.Run(TextModel, "x", values, [1, 3, 48, 192]), actual,
            $"text classifier on {photo}");
    }

    [SkippableTheory]
    [InlineData("text/textline_upright.png", 0)]
    [InlineData("text/textline_rotated180.png", 1)]
    public void TextOrientationClassifier_ExplainsBothOrientations_AndPredictsTheRightOne(string photo, int expected)
    {
        using var model = new OnnxExplainableModel(OnnxModule.Load(TextModel));
        using DisposeScope scope = NewDisposeScope();
        Assert.NotNull(model.SkippedSoftmax);
        Tensor input = tensor(Prepare(Sample(photo), KnownPreprocessing.PaddleOcrTextLine)).reshape(1, 3, 48, 192);

        IReadOnlyList<Explanation> maps = new GradCam(model).Explain(input, new ClassTarget(0), new ClassTarget(1));

        float[] logits = maps.Select(m => m.Score).ToArray();
        double probability = 1 / (1 + Math.Exp(logits[1 - expected] - logits[expected]));
        Assert.True(probability > 0.97, $"p(class {expected}) = {probability:0.000}");
        Assert.All(maps, map => Assert.True(map.RawMap!.Max > 0, $"class {map.ClassIndex}: empty map"));
        // The last map with more than one row and column: [1, 200, 2, 96], before the final max-pooling to one row.
        Assert.Equal("hardswish_17.tmp_0", maps[0].Layer);
    }
}
