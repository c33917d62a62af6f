using TorchSharp;
using static TorchSharp.torch;

namespace GradCamSharp.Onnx.Tests;

/// <summary>
/// A handful of operators with the attributes that are easy to get wrong, against ONNX Runtime, without the
/// conformance package (so that they run everywhere).
/// </summary>
public sealed class OperatorTests
{
    private static float[] Ramp(int n) => Enumerable.Range(0, n).Select(i => (i * 37 % 11 - 5) / 7f).ToArray();

    public static TheoryData<string> Cases => new()
    {
        "conv-asymmetric-pads", "maxpool-ceil", "averagepool-exclude-pad", "resize-linear", "softmax-opset11",
        "layernorm", "transpose-reshape", "gemm-transposed",
    };

    private static (OnnxGraphBuilder Graph, long Opset) Build(string name) => name switch
    {
        "conv-asymmetric-pads" =>
            (Single(name, [1, 2, 7, 6], [1, 3, 4, 4], "Conv", [("pads", new long[] { 0, 1, 1, 0 }),
            ("strides", new long[] { 2, 2 })], ("w", [3, 2, 3, 3])), 17),
        "maxpool-ceil" => (Single(name, [1, 2, 7, 7], [1, 2, 4, 4], "MaxPool", [("kernel_shape", new long[] { 2, 2 }),
            ("strides", new long[] { 2, 2 }), ("ceil_mode", 1L)]), 17),
        "averagepool-exclude-pad" =>
            (Single(name, [1, 2, 5, 5], [1, 2, 3, 3], "AveragePool", [("kernel_shape", new long[] { 3, 3 }),
            ("strides", new long[] { 2, 2 }), ("pads", new long[] { 1, 1, 1, 1 })]), 17),
        "softmax-opset11" => (Single(name, [2, 3, 4], [2, 3, 4], "Softmax", [("axis", 1L)]), 11),
        "layernorm" => (new OnnxGraphBuilder(name).Input("x", 2, 3, 4).Output("y", 2, 3, 4)
            .Initializer("scale", [4], Ramp(4)).Initializer("bias", [4], Ramp(4).Reverse().ToArray())
            .Node("LayerNormalization", "op", ["x", "scale", "bias"], ["y"], ("axis", -1L), ("epsilon", 1e-3f)), 17),
        "resize-linear" => (new OnnxGraphBuilder(name).Input("x", 1, 1, 3, 4).Output("y", 1, 1, 5, 7)
            .Initializer("sizes", [4], new long[] { 1, 1, 5, 7 })
            .Node("Resize", "op", ["x", "", "", "sizes"], ["y"], ("mode", "linear")), 17),
        "transpose-reshape" => (new OnnxGraphBuilder(name).Input("x", 2, 3, 4).Output("y", 4, 6)
            .Initializer("shape", [2], new long[] { 4, -1 })
            .Node("Transpose", "t", ["x"], ["t"], ("perm", new long[] { 2, 0, 1 }))
            .Node("Reshape", "r", ["t", "shape"], ["y"]), 17),
        "gemm-transposed" => (new OnnxGraphBuilder(name).Input("x", 3, 2).Output("y", 2, 4)
            .Initializer("b", [4, 3], Ramp(12)).Initializer("c", [4], Ramp(4))
            .Node("Gemm", "op", ["x", "b", "c"], ["y"], ("transA", 1L), ("transB", 1L), ("alpha", 0.5f), ("beta", 2f)),
                17),
        _ => throw new ArgumentException(name),
    };

    private static OnnxGraphBuilder Single(string name, long[] input, long[] output, string op,
        (string, object)[] attributes, (string Name, long[] Dims)? weight = null)
    {
        var graph = new OnnxGraphBuilder(name).Input("x", input).Output("y", output);
        string[] inputs = ["x"];
        if (weight is (string weightName, long[] dims))
        {
            graph.Initializer(weightName, dims, Ramp((int)dims.Aggregate(1L, (a, b) => a * b)));
            inputs = ["x", weightName];
        }
        return graph.Node(op, "op", inputs, ["y"], attributes);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Operator_EqualsOnnxRuntime(string name)
    {
        (OnnxGraphBuilder graph, long opset) = Build(name);
        using var folder = new TempFolder();
        string path = graph.Save(folder[$"{name}.onnx"], opset);
        using OnnxModule module = OnnxModule.Load(path);
        long[] shape = module.DeclaredShape("x")!;
        using DisposeScope scope = NewDisposeScope();
        manual_seed(3);
        Tensor input = randn(shape);
        float[] values = input.data<float>().ToArray();

        float[] expected = OnnxRuntimeOracle.Run(path, "x", values, shape);
        using var noGrad = no_grad();
        float[] actual = module.call(input).contiguous().data<float>().ToArray();
        OnnxRuntimeOracle.AssertAgrees(expected, actual, name);
    }

    [Theory]
    [InlineData(new long[] { 7, 1, 5 }, true)]
    [InlineData(new long[] { 2, 7, 5 }, false)]
    [InlineData(new long[] { 3, 2, 7, 5 }, true)]
    public void MatMul_OfRowsByOneMatrix_EqualsTorchsMatmul_ContiguousOrNot(long[] shape, bool transposed)
    {
        // Rows times a matrix run as one product (folded), from a view whose rows are not contiguous too (a
        // transformer's sequence-first tokens): the same values and the same gradient as torch.matmul.
        using OnnxModule module = new OnnxGraphBuilder("rows")
            .Input("a", shape)
            .Input("b", [5, 3])
            .Output("y", -1)
            .Node("MatMul", "product", ["a", "b"], ["y"])
            .Load();
        using DisposeScope scope = NewDisposeScope();
        Tensor source = randn(transposed ? [shape[1], shape[0], .. shape[2..]] : shape);
        Tensor a = (transposed ? source.transpose(0, 1) : source).requires_grad_(true);
        Tensor b = randn(5, 3);
        Tensor ours = module.Run(new Dictionary<string, Tensor> { ["a"] = a, ["b"] = b })["y"];
        Tensor theirs = a.matmul(b);
        Assert.Equal(theirs.shape, ours.shape);
        Assert.True(ours.allclose(theirs, 1e-5, 1e-6));
        Tensor weights = randn_like(theirs);
        Tensor ourGradient = autograd.grad([(ours * weights).sum()], [a])[0];
        Tensor theirGradient = autograd.grad([(theirs * weights).sum()], [a])[0];
        Assert.True(ourGradient.allclose(theirGradient, 1e-5, 1e-6));
    }

    [Theory]
    [InlineData(new long[] { 4, 8 }, new long[] { 4, 2 }, "cannot be multiplied")]
    [InlineData(new long[] { 3, 2, 4 }, new long[] { 5, 4, 2 }, "do not broadcast")]
    public void MatMul_OfShapesThatDoNotMultiply_IsRefused_WithoutAbortingTheProcess(long[] left, long[] right,
        string reason)
    {
        // LibTorch's own check of these aborts the process ("terminate called after throwing c10::Error"): found
        // by fuzzing, checked here before LibTorch sees them.
        using OnnxModule module = new OnnxGraphBuilder("matmul")
            .Input("a", left)
            .Input("b", right)
            .Output("y", -1)
            .Node("MatMul", "product", ["a", "b"], ["y"])
            .Load();
        using DisposeScope scope = NewDisposeScope();
        var refused = Assert.Throws<OnnxRunException>(() => module.Run(new Dictionary<string, Tensor>
        {
            ["a"] = ones(left), ["b"] = ones(right),
        }));
        Assert.Contains(reason, refused.Message);
    }

    [Theory]
    [InlineData(0f, true)]
    [InlineData(0.5f, false)]
    public void Dropout_InTrainingMode_ImportsOnlyWhenItDropsNothing(float ratio, bool imports)
    {
        // torch.onnx.export writes torchvision's Swin attention dropout as training_mode true with ratio 0.
        OnnxGraphBuilder graph = new OnnxGraphBuilder("dropout")
            .Input("x", 1, 4)
            .Output("y", 1, 4)
            .Initializer("ratio", [], [ratio])
            .Initializer("training", [], new long[] { 1 })
            .Node("Dropout", "drop", ["x", "ratio", "training"], ["y"]);
        if (!imports)
        {
            Assert.Contains("training_mode", Assert.ThrowsAny<Exception>(() => graph.Load()).Message);
            return;
        }
        using OnnxModule module = graph.Load();
        using DisposeScope scope = NewDisposeScope();
        Tensor x = tensor(new float[] { 1, -2, 3, -4 }).reshape(1, 4);
        Assert.Equal(x.data<float>().ToArray(), module.Run(new Dictionary<string, Tensor> { ["x"] = x })["y"]
            .data<float>().ToArray());
    }
}
