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

        // A CNN has no attention for the transformer methods to read either.
        string[] attention = AttentionMethods(model);
        Assert.Equal(attention.Select(m => $"{m}: {AttentionFlow.NoAttentionObstacle}"), skipped.Skip(1));
        Assert.StartsWith("deconvnet: the deconvnet rule needs every ReLU as a ReLU module", skipped[0]);
        Assert.Equal(Benchmark.DefaultMethods.Where(m => m != "deconvnet").Except(attention), runnable);
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
        string[] attention = AttentionMethods(model);
        Assert.Equal(2, attention.Length);
        Assert.Equal(Benchmark.DefaultMethods.Except(attention), Benchmark.RunnableDefaults(model, skipped));
        Assert.Equal(attention.Select(m => $"{m}: {AttentionFlow.NoAttentionObstacle}"), skipped);
    }

    /// <summary>The default methods that read a transformer's attention.</summary>
    private static string[] AttentionMethods(IExplainableModel model) => [.. Benchmark.DefaultMethods.Where(m =>
        KnownMethods.Registered.Any(r => r.Name == m && r.Create(model, new CamOptions()) is AttentionMethod))];
}
