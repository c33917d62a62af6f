using GradCamSharp.Methods;
using GradCamSharp.Models;
using GradCamSharp.Targets;
using TorchSharp;
using static TorchSharp.torch;
using GradCamSharp.Onnx;

namespace GradCamSharp.OnnxRuntime.Tests;

/// <summary>
/// The ONNX Runtime hybrid computes the same maps as TorchSharp alone: ONNX Runtime up to the target layer and
/// TorchSharp for the tail (Grad-CAM and its family), ONNX Runtime alone for passes without gradients (Score-CAM's
/// masked inputs), TorchSharp alone where every ReLU matters on the way back (Guided Backpropagation).
/// </summary>
public sealed class HybridModelTests
{
    public static TheoryData<string> Fixtures => SharedFixtures.OnnxArchitectures;

    /// <summary>The method's map before upsampling (a CAM), or its pixel map (Guided Backpropagation).</summary>
    private static float[] Map(IExplainableModel model, string method, Tensor input, string layer)
    {
        Explanation explanation = KnownMethods.Create(method, model, new CamOptions { Layer = layer })
            .Explain(input, new TopClassesTarget(1)).Single();
        return (explanation.RawMap ?? explanation.Heatmap).Values;
    }

    [SkippableTheory]
    [MemberData(nameof(Fixtures))]
    public void GradientMaps_EqualTheTorchSharpPath_AndRunTheHeadInOnnxRuntime(string fixture)
    {
        string path = SharedFixtures.RequireGunzipped($"fixtures/onnx/{fixture}.onnx.gz");
        using var torchOnly = new OnnxExplainableModel(OnnxModule.Load(path));
        var notices = new List<string>();
        using var hybrid = new OnnxRuntimeHybridModel(new OnnxExplainableModel(OnnxModule.Load(path)), notices.Add);
        using DisposeScope scope = NewDisposeScope();
        manual_seed(7);
        Tensor input = randn(1, 3, 224, 224);
        string layer = ModelLayers.Resolve(torchOnly, ModelLayers.Auto, input);

        foreach (string method in new[] { KnownMethods.GradCam, "gradcam++", "layercam" })
        {
            int before = hybrid.RuntimePasses;
            Tolerance.AssertClose(Map(torchOnly, method, input, layer), Map(hybrid, method, input, layer), 1e-4,
                $"{fixture} {method} at {layer}");
            Assert.True(hybrid.RuntimePasses > before, $"{fixture} {method} did not use ONNX Runtime");
        }
        using (no_grad())
        {
            Tensor batch = randn(3, 3, 224, 224);
            Tolerance.AssertClose(torchOnly.Forward(batch, ForwardTaps.None).data<float>().ToArray(),
                hybrid.Forward(batch, ForwardTaps.None).data<float>().ToArray(), 1e-4, $"{fixture} forward");
        }
        Assert.Empty(notices);
    }

    [SkippableFact]
    public void ScoreCamAblationCamAndGuidedBackprop_EqualTheTorchSharpPath()
    {
        string path = SharedFixtures.RequireGunzipped("fixtures/onnx/squeezenet1_1.onnx.gz");
        using var torchOnly = new OnnxExplainableModel(OnnxModule.Load(path));
        using var hybrid = new OnnxRuntimeHybridModel(new OnnxExplainableModel(OnnxModule.Load(path)));
        using DisposeScope scope = NewDisposeScope();
        manual_seed(8);
        Tensor input = randn(1, 3, 224, 224);
        string layer = ModelLayers.Resolve(torchOnly, ModelLayers.Auto, input);

        foreach (string method in new[] { "scorecam", "ablationcam" })
        {
            int before = hybrid.RuntimePasses;
            Tolerance.AssertClose(Map(torchOnly, method, input, layer), Map(hybrid, method, input, layer), 1e-4,
                method);
            Assert.True(hybrid.RuntimePasses > before, $"{method} did not use ONNX Runtime");
        }
        // Guided Backpropagation needs every ReLU on the way back: it runs in TorchSharp, with the same result.
        int passes = hybrid.RuntimePasses;
        Tolerance.AssertClose(Map(torchOnly, KnownMethods.GuidedBackprop, input, layer),
            Map(hybrid, KnownMethods.GuidedBackprop, input, layer), 1e-5, "guided backprop");
        Assert.Equal(passes, hybrid.RuntimePasses);
    }

    [Fact]
    public void AttentionRollout_ReadsTheAttentionFromOnnxRuntime_AndEqualsTheTorchSharpPath()
    {
        string path = Path.Combine(SharedFixtures.RepositoryRoot, "tests", "GradCamSharp.Onnx.Tests", "transformers",
            "vit_tiny.onnx");
        using var torchOnly = new OnnxExplainableModel(OnnxModule.Load(path));
        var notices = new List<string>();
        using var hybrid = new OnnxRuntimeHybridModel(new OnnxExplainableModel(OnnxModule.Load(path)), notices.Add);
        using DisposeScope scope = NewDisposeScope();
        manual_seed(9);
        Tensor input = randn(1, 3, 64, 64);   // torch 1.13 exports this ViT for one image at a time
        int before = hybrid.RuntimePasses;
        // The attention values are extra outputs of one ONNX Runtime pass; nothing runs in TorchSharp.
        Tolerance.AssertClose(AttentionFlow.Rollout(torchOnly, input).data<float>().ToArray(),
            AttentionFlow.Rollout(hybrid, input).data<float>().ToArray(), 1e-5);
        Assert.Equal(before + 1, hybrid.RuntimePasses);
        // Relevance needs the gradient at every attention: TorchSharp, with the same result.
        Tolerance.AssertClose(AttentionFlow.Relevance(torchOnly, input, 2).data<float>().ToArray(),
            AttentionFlow.Relevance(hybrid, input, 2).data<float>().ToArray(), 1e-5);
        Assert.Equal(before + 1, hybrid.RuntimePasses);
        // As a method, rollout reads the attention in the explanation's own pass: one ONNX Runtime run in all.
        Explanation fast = new AttentionRollout(hybrid).Explain(input, new ClassTarget(0)).Single();
        Assert.Equal(before + 2, hybrid.RuntimePasses);
        Explanation slow = new AttentionRollout(torchOnly).Explain(input, new ClassTarget(0)).Single();
        Tolerance.AssertClose(slow.RawMap!.Values, fast.RawMap!.Values, 1e-5);
        Assert.Empty(notices);
    }

    [Fact]
    public void AGraphOnnxRuntimeRefuses_FallsBackToTorchSharp_WithOneNotice()
    {
        // Opset 99 does not exist: the importer reads these operators the same at any opset, ONNX Runtime refuses it.
        using OnnxModule module = new OnnxGraphBuilder("future")
            .Input("x", -1, 1, 4, 4).Output("y", -1, 2)
            .Initializer("w", [2, 1, 3, 3], [.. Enumerable.Range(0, 18).Select(i => (i % 5 - 2) / 4f)])
            .Initializer("fc", [2, 2], [1f, -1f, 0.5f, 2f])
            .Node("Conv", "/conv/Conv", ["x", "w"], ["c"], ("pads", new long[] { 1, 1, 1, 1 }))
            .Node("Relu", "/relu/Relu", ["c"], ["r"])
            .Node("GlobalAveragePool", "/pool/GlobalAveragePool", ["r"], ["p"])
            .Node("Flatten", "/flatten/Flatten", ["p"], ["f"])
            .Node("Gemm", "/fc/Gemm", ["f", "fc"], ["y"], ("transB", 1L))
            .Load(opset: 99);
        using var torchOnly = new OnnxExplainableModel(module, leaveOpen: true);
        var notices = new List<string>();
        using var hybrid = new OnnxRuntimeHybridModel(new OnnxExplainableModel(module, leaveOpen: true),
            notices.Add);
        using DisposeScope scope = NewDisposeScope();
        manual_seed(9);
        Tensor input = randn(1, 1, 4, 4);

        float[] expected = Map(torchOnly, KnownMethods.GradCam, input, "r");
        Assert.Equal(expected, Map(hybrid, KnownMethods.GradCam, input, "r"));
        Assert.Equal(expected, Map(hybrid, KnownMethods.GradCam, input, "r"));

        Assert.Equal(0, hybrid.RuntimePasses);
        Assert.Contains("TorchSharp runs it instead", Assert.Single(notices));
    }
}
