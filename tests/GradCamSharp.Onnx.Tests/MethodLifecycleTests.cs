using GradCamSharp.Methods;
using GradCamSharp.Models;
using GradCamSharp.Targets;
using TorchSharp;
using static TorchSharp.torch;

namespace GradCamSharp.Onnx.Tests;

/// <summary>Every method on an imported graph, a hundred times: no tensor outlives its call.</summary>
public sealed class MethodLifecycleTests
{
    /// <summary>
    /// conv, relu, conv (stride 2, with a bias), relu, global average pool, flatten, linear: a CNN in eight nodes.
    /// </summary>
    private static OnnxModule SmallCnn()
    {
        var random = new Random(4);
        float[] Weights(int n) => Enumerable.Range(0, n).Select(_ => (float)(random.NextDouble() - 0.5) / 2).ToArray();
        return new OnnxGraphBuilder("small-cnn")
            .Input("input", -1, 3, 16, 16)
            .Output("logits", -1, 4)
            .Initializer("w1", [8, 3, 3, 3], Weights(8 * 27))
            .Initializer("w2", [16, 8, 3, 3], Weights(16 * 72))
            .Initializer("w3", [4, 16], Weights(64))
            .Initializer("b2", [16], Weights(16))
            .Node("Conv", "/conv1/Conv", ["input", "w1"], ["c1"], ("pads", new long[] { 1, 1, 1, 1 }))
            .Node("Relu", "/relu1/Relu", ["c1"], ["r1"])
            .Node("Conv", "/conv2/Conv", ["r1", "w2", "b2"], ["c2"], ("pads", new long[] { 1, 1, 1, 1 }),
                ("strides", new long[] { 2, 2 }))
            .Node("Relu", "/relu2/Relu", ["c2"], ["r2"])
            .Node("GlobalAveragePool", "/pool/GlobalAveragePool", ["r2"], ["pooled"])
            .Node("Flatten", "/flatten/Flatten", ["pooled"], ["flat"])
            .Node("Gemm", "/fc/Gemm", ["flat", "w3"], ["logits"], ("transB", 1L))
            .Load();
    }

    [Fact]
    public void AnExplainerOfADisposedModel_SaysSo()
    {
        using DisposeScope scope = NewDisposeScope();
        var model = new OnnxExplainableModel(SmallCnn());
        var gradCam = new GradCam(model);
        Assert.Single(gradCam.Explain(randn(1, 3, 16, 16), TopClassesTarget.Top1));
        model.Dispose();
        model.Dispose();

        Assert.Throws<ObjectDisposedException>(() => gradCam.Explain(randn(1, 3, 16, 16), TopClassesTarget.Top1));
    }

    public static TheoryData<bool> Transformer => new([false, true]);

    [Theory]
    [MemberData(nameof(Transformer))]
    public void EveryMethod_HundredCalls_DoNotGrowLiveTensors_AndLeaveTheOutputAsItWas(bool transformer)
    {
        // A CNN, and a transformer in miniature for the methods that read attention.
        using var model = new OnnxExplainableModel(transformer ? TransformerGraphs.MiniAttention().Load() : SmallCnn());
        IExplainer[] methods =
            [.. KnownMethods.Registered.Where(m => m.Obstacle(model) is null).Select(m => m.Create(model,
                new CamOptions())), KnownMethods.Create("guided-ablationcam", model)];
        using Tensor input = randn(1, 3, 16, 16);
        float[] before;
        using (no_grad()) before = model.Forward(input, ForwardTaps.None).data<float>().ToArray();
        foreach (IExplainer method in methods) method.Explain(input, new TopClassesTarget(1));   // warm-up

        long live = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        for (int i = 0; i < 100; i++)
        {
            foreach (IExplainer method in methods) method.Explain(input, new TopClassesTarget(1));
        }
        long grown = DisposeScopeManager.Statistics.ThreadTotalLiveCount - live;

        Assert.True(grown <= 0, $"live tensors grew by {grown} over 100 calls of each method");
        using (no_grad()) Assert.Equal(before, model.Forward(input, ForwardTaps.None).data<float>().ToArray());
    }
}
