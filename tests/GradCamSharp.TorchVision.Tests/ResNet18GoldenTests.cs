using System.Text.Json;
using GradCamSharp.Methods;
using GradCamSharp.Models;
using GradCamSharp.Targets;
using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace GradCamSharp.TorchVision.Tests;

/// <summary>
/// Three frameworks agree: TorchVision's resnet18 in TorchSharp, with the PyTorch checkpoint of shared/fixtures,
/// reproduces PyTorch's own logits, Grad-CAM maps and Guided Backprop gradients.
/// </summary>
public sealed class ResNet18GoldenTests
{
    private const string Golden = "fixtures/golden/";

    private static Module<Tensor, Tensor> LoadResNet18() =>
        TorchVisionModels.Create("resnet18", SharedFixtures.RequireGunzipped("fixtures/pytorch/resnet18.pth.gz"));

    private static Tensor GoldenInput() =>
        tensor(SharedFixtures.ReadFloats(SharedFixtures.Require(Golden + "resnet18.input.f32"))).reshape(1, 3, 224,
            224);

    internal static double RelativeError(float[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        double difference = 0, norm = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            difference += Math.Pow(expected[i] - actual[i], 2);
            norm += Math.Pow(expected[i], 2);
        }
        return Math.Sqrt(difference / norm);
    }

    [SkippableFact]
    public void Logits_MatchPyTorch()
    {
        using DisposeScope scope = NewDisposeScope();
        Module<Tensor, Tensor> model = LoadResNet18();
        float[] expected = SharedFixtures.ReadFloats(SharedFixtures.Require(Golden + "resnet18.logits.f32"));
        using var noGrad = no_grad();
        float[] actual = model.call(GoldenInput()).data<float>().ToArray();
        Assert.True(RelativeError(expected, actual) < 1e-4, $"relative error {RelativeError(expected, actual)}");
        Assert.Equal(238, Array.IndexOf(actual, actual.Max()));
    }

    [SkippableTheory]
    [InlineData(238)]
    [InlineData(281)]
    public void GradCamRawMap_Layer4_MatchesPyTorch(int classIndex)
    {
        using DisposeScope scope = NewDisposeScope();
        using JsonDocument golden =
            JsonDocument.Parse(File.ReadAllText(SharedFixtures.Require(Golden + "resnet18.golden.json")));
        float[] expected = golden.RootElement.GetProperty("classes")
            .GetProperty(classIndex.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .GetProperty("gradcam_raw_7x7").EnumerateArray().SelectMany(row => row.EnumerateArray())
                .Select(v => v.GetSingle()).ToArray();

        var gradCam = new GradCam(new TorchModuleModel(LoadResNet18()), new CamOptions { Layer = "layer4" });
        Explanation explanation = gradCam.Explain(GoldenInput(), new ClassTarget(classIndex)).Single();

        double error = RelativeError(expected, explanation.RawMap!.Values);
        Assert.True(error < 1e-3, $"relative error {error}");
    }

    [SkippableTheory]
    [InlineData(238)]
    [InlineData(281)]
    public void GuidedBackprop_MatchesPyTorch(int classIndex)
    {
        using DisposeScope scope = NewDisposeScope();
        float[] expected =
            SharedFixtures.ReadFloats(SharedFixtures.Require(Golden + $"resnet18.guided_backprop.{classIndex}.f32"));
        var guided = new GuidedBackprop(new TorchModuleModel(LoadResNet18()));
        Explanation explanation = guided.Explain(GoldenInput(), new ClassTarget(classIndex)).Single();
        double error = RelativeError(expected, explanation.Attribution!.Values);
        Assert.True(error < 1e-3, $"relative error {error}");
    }

    [SkippableFact]
    public void AutoLayer_OnResNet18_IsLayer4()
    {
        using DisposeScope scope = NewDisposeScope();
        var gradCam = new GradCam(new TorchModuleModel(LoadResNet18()));
        Explanation explanation = gradCam.Explain(GoldenInput()).Single();
        Assert.Equal("layer4", explanation.Layer);
        Assert.Equal(238, explanation.ClassIndex);
    }
}
