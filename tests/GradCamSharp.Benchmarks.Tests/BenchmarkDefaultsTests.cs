using GradCamSharp.Methods;
using GradCamSharp.Models;
using GradCamSharp.TorchVision;

namespace GradCamSharp.Benchmarks.Tests;

/// <summary><c>gradcam bench</c>'s defaults run on every model the command accepts.</summary>
public sealed class BenchmarkDefaultsTests
{
    [Fact]
    public void OnATorchVisionResNet_TheDeconvnetIsSkippedWithItsReason_AndEveryOtherDefaultRuns()
    {
        using var model = new TorchModuleModel(TorchVisionModels.Create("resnet18"), "resnet18");
        var skipped = new List<string>();

        IReadOnlyList<string> runnable = Benchmark.RunnableDefaults(model, skipped);

        string reason = Assert.Single(skipped);
        Assert.StartsWith("deconvnet: the deconvnet rule needs every ReLU as a ReLU module", reason);
        Assert.Equal(Benchmark.DefaultMethods.Where(m => m != "deconvnet"), runnable);
        // What it would have done when run: refuse, as an explicit --methods deconvnet still does.
        Assert.Contains("ReLU module", Assert.Throws<UsageException>(() =>
            KnownMethods.Create("deconvnet", model).Explain(TorchSharp.torch.randn(1, 3, 64, 64),
                Targets.TopClassesTarget.Top1)).Message);
    }

    [Fact]
    public void OnAVisionTransformer_TheReluRulesAreSkippedWithTheirReason_AndEveryOtherDefaultRuns()
    {
        string path = Path.Combine(SharedFixtures.RepositoryRoot, "tests", "GradCamSharp.Onnx.Tests", "transformers",
            "vit_tiny.onnx");
        using var model = new Onnx.OnnxExplainableModel(Onnx.OnnxModule.Load(path));
        var skipped = new List<string>();

        IReadOnlyList<string> runnable = Benchmark.RunnableDefaults(model, skipped);

        string[] reluRules = [.. Benchmark.DefaultMethods.Where(m => m is KnownMethods.GuidedBackprop
            or KnownMethods.GuidedGradCam or "deconvnet" or KnownMethods.All)];
        Assert.NotEmpty(reluRules);
        Assert.Equal(reluRules.Select(m => $"{m}: {ForwardTaps.NoReluObstacle}"), skipped);
        Assert.Equal(Benchmark.DefaultMethods.Except(reluRules), runnable);
    }

    [Fact]
    public void OnAModelOfReluModules_NothingIsSkipped()
    {
        using var model = new TorchModuleModel(TorchSharp.torch.nn.Sequential(
            TorchSharp.torch.nn.Conv2d(3, 4, 3), TorchSharp.torch.nn.ReLU(),
            TorchSharp.torch.nn.AdaptiveAvgPool2d(1), TorchSharp.torch.nn.Flatten()));
        var skipped = new List<string>();
        Assert.Equal(Benchmark.DefaultMethods, Benchmark.RunnableDefaults(model, skipped));
        Assert.Empty(skipped);
    }
}
