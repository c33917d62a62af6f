using System.Text.Json;
using GradCamSharp.Methods;
using GradCamSharp.Targets;
using TorchSharp;
using static TorchSharp.torch;

namespace GradCamSharp.Onnx.Tests;

/// <summary>Grad-CAM and Guided Backprop through the imported ONNX ResNet18 reproduce PyTorch's own results.</summary>
public sealed class GoldenThroughImportTests
{
    private const string Layer = "/layer4/layer4.1/relu_1/Relu_output_0";

    private static double RelativeError(float[] expected, float[] actual)
    {
        double difference = expected.Zip(actual, (e, a) => (double)(e - a) * (e - a)).Sum();
        return Math.Sqrt(difference / expected.Sum(e => (double)e * e));
    }

    private static (OnnxExplainableModel Model, Tensor Input) Load()
    {
        var module = OnnxModule.Load(SharedFixtures.RequireGunzipped("fixtures/onnx/resnet18.onnx.gz"));
        float[] input = SharedFixtures.ReadFloats(SharedFixtures.Require("fixtures/golden/resnet18.input.f32"));
        return (new OnnxExplainableModel(module), tensor(input).reshape(1, 3, 224, 224));
    }

    [SkippableTheory]
    [InlineData(238)]
    [InlineData(281)]
    public void GradCam_RawMap_MatchesPyTorch(int classIndex)
    {
        using DisposeScope scope = NewDisposeScope();
        (OnnxExplainableModel model, Tensor input) = Load();
        using JsonDocument golden =
            JsonDocument.Parse(File.ReadAllText(SharedFixtures.Require("fixtures/golden/resnet18.golden.json")));
        float[] expected =
            golden.RootElement.GetProperty("classes")
                .GetProperty(classIndex.ToString(System.Globalization.CultureInfo.InvariantCulture))
                    .GetProperty("gradcam_raw_7x7")
            .EnumerateArray().SelectMany(r => r.EnumerateArray()).Select(v => v.GetSingle()).ToArray();

        Explanation explanation =
            new GradCam(model, new CamOptions { Layer = Layer }).Explain(input, new ClassTarget(classIndex)).Single();

        Assert.True(RelativeError(expected, explanation.RawMap!.Values) < 1e-3,
            $"relative error {RelativeError(expected, explanation.RawMap!.Values)}");
        model.Module.Dispose();
    }

    [SkippableTheory]
    [InlineData(238)]
    [InlineData(281)]
    public void GuidedBackprop_MatchesPyTorch(int classIndex)
    {
        using DisposeScope scope = NewDisposeScope();
        (OnnxExplainableModel model, Tensor input) = Load();
        float[] expected =
            SharedFixtures.ReadFloats(
                SharedFixtures.Require($"fixtures/golden/resnet18.guided_backprop.{classIndex}.f32"));

        Explanation explanation = new GuidedBackprop(model).Explain(input, new ClassTarget(classIndex)).Single();

        Assert.True(RelativeError(expected, explanation.Attribution!.Values) < 1e-3,
            $"relative error {RelativeError(expected, explanation.Attribution!.Values)}");
        model.Module.Dispose();
    }

    [SkippableFact]
    public void AutoLayer_IsTheLastSpatialValue_AndTop1Is238()
    {
        using DisposeScope scope = NewDisposeScope();
        (OnnxExplainableModel model, Tensor input) = Load();
        Explanation explanation = new GradCam(model).Explain(input).Single();
        Assert.Equal(Layer, explanation.Layer);
        Assert.Equal(238, explanation.ClassIndex);
        model.Module.Dispose();
    }
}
