using GradCamSharp.Methods;
using GradCamSharp.Models;
using GradCamSharp.Onnx;
using GradCamSharp.Targets;
using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;
using GradCamSharp.OnnxRuntime;

namespace GradCamSharp.TorchVision.Tests;

/// <summary>
/// A TorchVision ResNet exported to ONNX computes what the module computes, names its layers as the module does, and
/// gives the same Grad-CAM maps, both imported and through ONNX Runtime.
/// </summary>
public sealed class ResNetExportTests
{
    [SkippableFact]
    public void PretrainedResNet18_Export_MatchesTheModule_InTheImportAndInOnnxRuntime()
    {
        using DisposeScope scope = NewDisposeScope();
        Module<Tensor, Tensor> module = TorchVisionModels.Create("resnet18",
            SharedFixtures.RequireGunzipped("fixtures/pytorch/resnet18.pth.gz"));
        manual_seed(11);
        // Two images, not 224 x 224: the batch and the image size are dynamic.
        Tensor input = randn(2, 3, 160, 192);
        AssertSameModelAndMaps(module, "resnet18", input, "layer4", classIndex: 238);
    }

    [Theory]
    [InlineData("resnet50", "layer3")]
    [InlineData("resnet34", "layer4.1")]
    public void RandomResNet_Export_MatchesTheModule(string architecture, string layer)
    {
        using DisposeScope scope = NewDisposeScope();
        Module<Tensor, Tensor> module = TorchVisionModels.Create(architecture, classes: 7);
        // Running statistics other than TorchVision's fresh 0 and 1, so that the BatchNorm folding is exercised.
        manual_seed(12);
        using (no_grad())
        {
            foreach ((string name, Tensor buffer) in module.named_buffers())
            {
                if (name.EndsWith("running_mean", StringComparison.Ordinal)) buffer.copy_(randn_like(buffer) * 0.1);
                if (name.EndsWith("running_var", StringComparison.Ordinal)) buffer.copy_(rand_like(buffer) + 0.5);
            }
        }
        AssertSameModelAndMaps(module, architecture, randn(1, 3, 96, 96), layer, classIndex: 3);
    }

    [Fact]
    public void Export_RefusesWeightsThatAreNotAResNet()
    {
        using DisposeScope scope = NewDisposeScope();
        using Module<Tensor, Tensor> vgg = TorchVisionModels.Create("vgg16", classes: 3);
        ArgumentException refused = Assert.Throws<ArgumentException>(() => ResNetExport.Export(vgg.state_dict()));
        Assert.Contains("not a TorchVision ResNet", refused.Message, StringComparison.Ordinal);
    }

    private static void AssertSameModelAndMaps(Module<Tensor, Tensor> module, string name, Tensor input, string layer,
        int classIndex)
    {
        byte[] exported = ResNetExport.Export(module.state_dict(), name);
        using var native = new TorchModuleModel(module);
        using var imported = new OnnxExplainableModel(OnnxModule.Load(exported, null, name));
        using var hybrid = new OnnxRuntimeHybridModel(
            new OnnxExplainableModel(OnnxModule.Load(exported, null, name)));

        Tensor expected;
        using (no_grad()) expected = module.call(input);
        foreach (IExplainableModel model in (IExplainableModel[])[imported, hybrid])
        {
            Tensor logits;
            using (no_grad()) logits = model.Forward(input, ForwardTaps.None);
            AssertClose(expected, logits, $"{name} logits");
        }
        Assert.True(hybrid.RuntimePasses > 0, "the hybrid ran its forward in ONNX Runtime");

        var options = new CamOptions { Layer = layer };
        Explanation reference = new GradCam(native, options).Explain(input, new ClassTarget(classIndex))[0];
        foreach (IExplainableModel model in (IExplainableModel[])[imported, hybrid])
        {
            Explanation map = new GradCam(model, options).Explain(input, new ClassTarget(classIndex))[0];
            AssertClose(tensor(reference.RawMap!.Values), tensor(map.RawMap!.Values), $"{name} Grad-CAM at {layer}");
        }
    }

    /// <summary>Within 1e-4 of the largest magnitude (float32 sums in another order, BatchNorm folded).</summary>
    private static void AssertClose(Tensor expected, Tensor actual, string what)
    {
        Assert.Equal(expected.shape, actual.shape);
        double error = (expected - actual).abs().max().item<float>();
        double scale = expected.abs().max().item<float>();
        Assert.True(error <= 1e-4 * scale + 1e-6, $"{what}: max difference {error} of {scale}");
    }
}
