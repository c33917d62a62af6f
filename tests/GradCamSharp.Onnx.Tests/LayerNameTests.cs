using GradCamSharp.Methods;
using GradCamSharp.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace GradCamSharp.Onnx.Tests;

/// <summary>Layers of imported graphs as users name them, and the layer 'auto' picks.</summary>
public sealed class LayerNameTests
{
    /// <summary>
    /// ConvNeXt's tail: a block that permutes to channels-last for LayerNorm and back, a residual Add, global
    /// pooling, then a classifier LayerNorm over a channels-last [1, 1, 1, C] row.
    /// </summary>
    private static OnnxModule ConvNeXtShaped()
    {
        const int channels = 8;
        float[] Ones(int n) => Enumerable.Repeat(1f, n).ToArray();
        float[] Ramp(int n) => Enumerable.Range(0, n).Select(i => (i % 7 - 3) / 10f).ToArray();
        return new OnnxGraphBuilder("convnext")
            .Input("input", -1, 3, 16, 16)
            .Output("logits", -1, 4)
            .Initializer("stem.weight", [channels, 3, 4, 4], Ramp(channels * 3 * 16))
            .Initializer("norm.weight", [channels], Ones(channels))
            .Initializer("norm.bias", [channels], new float[channels])
            .Initializer("mlp.weight", [channels, channels], Ramp(channels * channels))
            .Initializer("head.weight", [channels, 4], Ramp(channels * 4))
            .Node("Conv", "/stem/Conv", ["input", "stem.weight"], ["/stem/Conv_output_0"],
                ("strides", new long[] { 4, 4 }))
            .Node("Transpose", "/block/Transpose", ["/stem/Conv_output_0"], ["/block/Transpose_output_0"],
                ("perm", new long[] { 0, 2, 3, 1 }))
            .Node("LayerNormalization", "/block/norm/LayerNormalization",
                ["/block/Transpose_output_0", "norm.weight", "norm.bias"],
                ["/block/norm/LayerNormalization_output_0"], ("axis", -1L))
            .Node("MatMul", "/block/mlp/MatMul", ["/block/norm/LayerNormalization_output_0", "mlp.weight"],
                ["/block/mlp/MatMul_output_0"])
            .Node("Transpose", "/block/Transpose_1", ["/block/mlp/MatMul_output_0"], ["/block/Transpose_1_output_0"],
                ("perm", new long[] { 0, 3, 1, 2 }))
            .Node("Add", "/block/Add", ["/stem/Conv_output_0", "/block/Transpose_1_output_0"], ["/block/Add_output_0"])
            .Node("GlobalAveragePool", "/avgpool/GlobalAveragePool", ["/block/Add_output_0"],
                ["/avgpool/GlobalAveragePool_output_0"])
            .Node("Transpose", "/classifier.0/Transpose", ["/avgpool/GlobalAveragePool_output_0"],
                ["/classifier.0/Transpose_output_0"],
                ("perm", new long[] { 0, 2, 3, 1 }))
            .Node("LayerNormalization", "/classifier.0/LayerNormalization",
                ["/classifier.0/Transpose_output_0", "norm.weight", "norm.bias"],
                ["/classifier.0/LayerNormalization_output_0"], ("axis", -1L))
            .Node("Flatten", "/classifier.1/Flatten", ["/classifier.0/LayerNormalization_output_0"],
                ["/classifier.1/Flatten_output_0"])
            .Node("MatMul", "/classifier.2/MatMul", ["/classifier.1/Flatten_output_0", "head.weight"], ["logits"])
            .Load();
    }

    [Fact]
    public void Auto_OnAConvNeXtShapedGraph_PicksTheLastFeatureMapBeforePooling()
    {
        using var model = new OnnxExplainableModel(ConvNeXtShaped());
        using DisposeScope scope = NewDisposeScope();
        Tensor input = randn(1, 3, 16, 16);
        Assert.Equal("/block/Add_output_0", ModelLayers.Resolve(model, ModelLayers.Auto, input));
        Explanation explanation = new GradCam(model).Explain(input).Single();
        Assert.Equal(4, explanation.RawMap!.Width);
        Assert.Equal(16, explanation.Heatmap.Width);
    }

    [SkippableFact]
    public void ModulePaths_NameTheLastValueOfTheirScope()
    {
        string path = SharedFixtures.RequireGunzipped("fixtures/onnx/resnet18.onnx.gz");
        using var model = new OnnxExplainableModel(OnnxModule.Load(path));
        Assert.Equal("/layer4/layer4.1/relu_1/Relu_output_0", model.FindLayer("layer4"));
        Assert.Equal("/layer4/layer4.1/relu_1/Relu_output_0", model.FindLayer("layer4.1"));
        Assert.Equal("/layer4/layer4.0/relu_1/Relu_output_0", model.FindLayer("layer4.0"));
        Assert.Equal("/layer4/layer4.1/relu_1/Relu_output_0", model.FindLayer("/layer4/layer4.1/relu_1/Relu_output_0"));
        Assert.Null(model.FindLayer("layer5"));

        using DisposeScope scope = NewDisposeScope();
        var error = Assert.Throws<UnknownLayerException>(() =>
            new GradCam(model, new CamOptions { Layer = "layer5" }).Explain(randn(1, 3, 224, 224)));
        Assert.Contains("layer4", error.Suggestions);
        Assert.Equal("/layer4/layer4.1/relu_1/Relu_output_0",
            new GradCam(model, new CamOptions { Layer = "layer4" }).Explain(randn(1, 3, 224, 224)).Single().Layer);
    }

    [SkippableFact]
    public void NestedModulePaths_FollowTheExportersScopes()
    {
        string path = SharedFixtures.RequireGunzipped("fixtures/onnx/mobilenet_v3_small.onnx.gz");
        using OnnxModule module = OnnxModule.Load(path);
        Assert.Contains("features.1.block.1", module.ModuleOutputs.Keys);
        Assert.StartsWith("/features/features.1/block/block.1/", module.ModuleOutputs["features.1.block.1"]);
    }

    [Fact]
    public void ValuesComputedFromWeightsAlone_AreNotLayers()
    {
        using OnnxModule module = new OnnxGraphBuilder("identity")
            .Input("x", 1, 2)
            .Output("y", 1, 2)
            .Initializer("w", [2], [1f, 2f])
            .Node("Identity", "weights", ["w"], ["w_copy"])
            .Node("Mul", "scale", ["x", "w_copy"], ["y"])
            .Load();
        Assert.Equal(["y"], module.ValueNames);
    }

    [Fact]
    public void WrongInputShape_IsRefusedBeforeRunning_SayingWhatWasExpected()
    {
        using var model = new OnnxExplainableModel(ConvNeXtShaped());
        using DisposeScope scope = NewDisposeScope();
        var oneChannel = Assert.Throws<UsageException>(() => new GradCam(model).Explain(randn(1, 1, 16, 16)));
        Assert.Contains("[N, 3, 16, 16]", oneChannel.Message);
        Assert.Contains("[1, 1, 16, 16]", oneChannel.Message);
        Assert.DoesNotContain("\n", oneChannel.Message);
        Assert.Throws<UsageException>(() => new GradCam(model).Explain(randn(1, 16, 16, 3)));
    }
}
