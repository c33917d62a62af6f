using Google.Protobuf;
using GradCamSharp.Onnx.Proto;
using static TorchSharp.torch;

namespace GradCamSharp.Onnx;

/// <summary>
/// Writes an ONNX graph node by node, as <c>torch.onnx.export</c> would lay it out: nodes in execution order, each
/// output named after its node (<c>/layer4/Relu</c> gives <c>/layer4/Relu_output_0</c>, so that the module path
/// <c>layer4</c> names it), weights as initializers, a dynamic batch. Models trained in TorchSharp become ONNX files
/// this way, and so gain ONNX Runtime for the layers before the explained one and every other tool that reads ONNX.
/// </summary>
/// <example>
/// <code>
/// var writer = new OnnxGraphWriter("tiny");
/// string x = writer.Node("/fc/Gemm", "Gemm", ["input", writer.Weight("fc.weight", weight)],
///     OnnxSetting.Whole("transB", 1));
/// byte[] onnx = writer.ToBytes("input", [null, 4], x, [null, 3]);
/// </code>
/// </example>
/// <param name="name">The graph's name.</param>
/// <param name="opset">The default domain's operator set (17 has LayerNormalization).</param>
public sealed class OnnxGraphWriter(string name, int opset = 17)
{
    private readonly GraphProto _graph = new() { Name = name };

    /// <summary>Adds a node whose one output is named after it, as PyTorch's exporter names values.</summary>
    /// <returns>The output's name.</returns>
    public string Node(string nodeName, string opType, IReadOnlyList<string> inputs,
        params OnnxSetting[] attributes) => Node(nodeName, opType, inputs, [nodeName + "_output_0"], attributes)[0];

    /// <summary>Adds a node with the outputs named <paramref name="outputs"/>.</summary>
    /// <returns><paramref name="outputs"/>.</returns>
    public IReadOnlyList<string> Node(string nodeName, string opType, IReadOnlyList<string> inputs,
        IReadOnlyList<string> outputs, params OnnxSetting[] attributes)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(outputs);
        ArgumentNullException.ThrowIfNull(attributes);
        var node = new NodeProto { Name = nodeName, OpType = opType };
        node.Input.AddRange(inputs);
        node.Output.AddRange(outputs);
        node.Attribute.AddRange(attributes.Select(a => a.ToProto()));
        _graph.Node.Add(node);
        return outputs;
    }

    /// <summary>Adds <paramref name="value"/> as a float32 initializer.</summary>
    /// <returns><paramref name="weightName"/>.</returns>
    public string Weight(string weightName, Tensor value)
    {
        ArgumentNullException.ThrowIfNull(value);
        using Tensor single = value.detach().to(ScalarType.Float32);
        _graph.Initializer.Add(OnnxTensors.FromTensor(single, weightName));
        return weightName;
    }

    /// <summary>Adds a one-dimensional int64 initializer: a shape, axes, an index.</summary>
    /// <returns><paramref name="constantName"/>.</returns>
    public string Int64s(string constantName, params long[] values)
    {
        using Tensor value = tensor(values, ScalarType.Int64);
        _graph.Initializer.Add(OnnxTensors.FromTensor(value, constantName));
        return constantName;
    }

    /// <summary>Adds a scalar (0-D) int64 initializer: an index that removes its axis, as Gather takes it.</summary>
    /// <returns><paramref name="constantName"/>.</returns>
    public string Index(string constantName, long value)
    {
        using Tensor scalar = tensor(value);
        _graph.Initializer.Add(OnnxTensors.FromTensor(scalar, constantName));
        return constantName;
    }

    /// <summary>Adds a scalar float32 initializer.</summary>
    /// <returns><paramref name="constantName"/>.</returns>
    public string Scalar(string constantName, float value)
    {
        using Tensor scalar = tensor(value);
        _graph.Initializer.Add(OnnxTensors.FromTensor(scalar, constantName));
        return constantName;
    }

    /// <summary>A 2-D (or, with a 5-D weight, 3-D) convolution, cubic kernel, the same padding on every side.</summary>
    /// <param name="nodeName">The node, e.g. <c>/stem/conv1/Conv</c>.</param>
    /// <param name="input">Its input value.</param>
    /// <param name="weightName">The name of its weight; its bias is called the same with ".bias" for ".weight".</param>
    /// <param name="weight">[out, in, k, k] (or [out, in, k, k, k]).</param>
    /// <param name="bias">[out], or null.</param>
    /// <param name="stride">The stride along every axis.</param>
    /// <param name="padding">Zero padding on each side.</param>
    /// <param name="dilation">The dilation along every axis.</param>
    /// <returns>The output's name.</returns>
    public string Conv(string nodeName, string input, string weightName, Tensor weight, Tensor? bias, long stride = 1,
        long padding = 0, long dilation = 1)
    {
        ArgumentNullException.ThrowIfNull(weight);
        int axes = (int)weight.dim() - 2;
        long[] Along(long value, int times) => Enumerable.Repeat(value, times).ToArray();
        string[] inputs = bias is null ? [input, Weight(weightName, weight)]
            : [input, Weight(weightName, weight), Weight(BiasName(weightName), bias)];
        return Node(nodeName, "Conv", inputs, OnnxSetting.Integers("kernel_shape", Along(weight.shape[2], axes)),
            OnnxSetting.Integers("strides", Along(stride, axes)),
            OnnxSetting.Integers("pads", Along(padding, 2 * axes)),
            OnnxSetting.Integers("dilations", Along(dilation, axes)));
    }

    /// <summary>
    /// A convolution's weight and bias with the inference-mode BatchNorm after it folded in, as exporters do.
    /// </summary>
    /// <param name="weight">[out, in, k, k].</param>
    /// <param name="bias">[out], or null for none.</param>
    /// <param name="scale">The BatchNorm's weight (gamma).</param>
    /// <param name="shift">The BatchNorm's bias (beta).</param>
    /// <param name="runningMean">Its running mean.</param>
    /// <param name="runningVariance">Its running variance.</param>
    /// <param name="epsilon">Its epsilon.</param>
    public static (Tensor Weight, Tensor Bias) FoldBatchNorm(Tensor weight, Tensor? bias, Tensor scale, Tensor shift,
        Tensor runningMean, Tensor runningVariance, double epsilon = 1e-5)
    {
        ArgumentNullException.ThrowIfNull(weight);
        ArgumentNullException.ThrowIfNull(runningVariance);
        using var noGradient = no_grad();
        Tensor factor = scale / (runningVariance + epsilon).sqrt();
        Tensor before = bias ?? zeros_like(runningMean);
        return (weight * factor.reshape(-1, 1, 1, 1), (before - runningMean) * factor + shift);
    }

    private static string BiasName(string weightName) => weightName.EndsWith(".weight", StringComparison.Ordinal)
        ? weightName[..^".weight".Length] + ".bias" : weightName + ".bias";

    /// <summary>
    /// The serialized model with one float32 input and one float32 output; a null dimension is symbolic
    /// (the first is called "batch").
    /// </summary>
    public byte[] ToBytes(string input, IReadOnlyList<long?> inputDimensions, string output,
        IReadOnlyList<long?> outputDimensions)
    {
        var graph = _graph.Clone();
        graph.Input.Add(Value(input, inputDimensions));
        graph.Output.Add(Value(output, outputDimensions));
        var model = new ModelProto { IrVersion = 8, ProducerName = "GradCamSharp", Graph = graph };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = opset });
        return model.ToByteArray();
    }

    private static ValueInfoProto Value(string valueName, IReadOnlyList<long?> dimensions)
    {
        var shape = new TensorShapeProto();
        // Symbolic dimensions are named in order: the batch, then the picture's height and width.
        string[] symbols = ["batch", "height", "width"];
        int symbolic = 0;
        foreach (long? dimension in dimensions)
        {
            shape.Dim.Add(dimension is long size ? new TensorShapeProto.Types.Dimension { DimValue = size }
                : new TensorShapeProto.Types.Dimension
                {
                    DimParam = symbolic < symbols.Length ? symbols[symbolic++] : $"dim{symbolic++}",
                });
        }
        return new ValueInfoProto
        {
            Name = valueName,
            Type = new TypeProto
            {
                TensorType = new TypeProto.Types.Tensor
                {
                    ElemType = (int)TensorProto.Types.DataType.Float, Shape = shape,
                },
            },
        };
    }
}
