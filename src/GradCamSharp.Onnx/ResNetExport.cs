using Google.Protobuf;
using GradCamSharp.Onnx.Proto;
using TorchSharp;
using static TorchSharp.torch;

namespace GradCamSharp.Onnx;

/// <summary>
/// Writes a TorchVision ResNet (18, 34, 50, 101, 152: basic or bottleneck blocks, read from the weights' names) as
/// an ONNX graph, from its <c>state_dict</c>, as <c>torch.onnx.export</c> would: BatchNorm folded into the
/// convolutions, a dynamic batch, and PyTorch's scoped node names, so that <c>layer4</c> or <c>layer3.1</c> name the
/// same values as in the module. What the export is for: ONNX Runtime runs the layers before the explained one (see
/// <c>GradCamSharp.OnnxRuntime.OnnxRuntimeHybridModel</c>), the import frees every value after its last use, and
/// ResNets trained in PyTorch (a <c>.pth</c>) or TorchSharp gain both.
/// </summary>
public static class ResNetExport
{
    private const float BatchNormEpsilon = 1e-5f;
    private const int Opset = 13;

    /// <summary>The graph's input name.</summary>
    public const string InputName = "input";

    /// <summary>The graph's output name (the logits).</summary>
    public const string OutputName = "logits";

    /// <summary>Serializes the ResNet whose weights are <paramref name="stateDict"/> as an ONNX model.</summary>
    /// <param name="stateDict">A TorchVision ResNet's <c>state_dict()</c> (float32).</param>
    /// <param name="name">The graph's name.</param>
    /// <exception cref="ArgumentException">The weights are not those of a TorchVision ResNet.</exception>
    public static byte[] Export(IReadOnlyDictionary<string, Tensor> stateDict, string name = "resnet")
    {
        ArgumentNullException.ThrowIfNull(stateDict);
        foreach (string required in (string[])["conv1.weight", "bn1.weight", "layer1.0.conv1.weight", "fc.weight"])
        {
            if (!stateDict.ContainsKey(required))
                throw new ArgumentException($"not a TorchVision ResNet's weights: '{required}' is missing",
                    nameof(stateDict));
        }
        using DisposeScope scope = NewDisposeScope();
        using var noGrad = no_grad();
        var graph = new Graph(stateDict);
        string x = graph.ConvBatchNorm("/conv1/Conv", InputName, "conv1", "bn1", stride: 2);
        x = graph.Node("/relu/Relu", "Relu", [x]);
        x = graph.Node("/maxpool/MaxPool", "MaxPool", [x], Ints("kernel_shape", 3, 3), Ints("strides", 2, 2),
            Ints("pads", 1, 1, 1, 1));
        for (int stage = 1; stateDict.ContainsKey($"layer{stage}.0.conv1.weight"); stage++)
        {
            for (int block = 0; stateDict.ContainsKey($"layer{stage}.{block}.conv1.weight"); block++)
                x = graph.Block($"layer{stage}", block, x, stride: stage > 1 && block == 0 ? 2 : 1);
        }
        x = graph.Node("/avgpool/GlobalAveragePool", "GlobalAveragePool", [x]);
        x = graph.Node("/Flatten", "Flatten", [x], new AttributeProto
        {
            Name = "axis", I = 1, Type = AttributeProto.Types.AttributeType.Int,
        });
        graph.Node("/fc/Gemm", "Gemm", [x, graph.Weight("fc.weight", stateDict["fc.weight"]),
            graph.Weight("fc.bias", stateDict["fc.bias"])], [OutputName], new AttributeProto
        {
            Name = "transB", I = 1, Type = AttributeProto.Types.AttributeType.Int,
        });
        return graph.ToModel(name).ToByteArray();
    }

    private static AttributeProto Ints(string name, params long[] values)
    {
        var attribute = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        attribute.Ints.AddRange(values);
        return attribute;
    }

    /// <summary>The graph under construction: nodes in execution order and the folded weights.</summary>
    private sealed class Graph(IReadOnlyDictionary<string, Tensor> stateDict)
    {
        private readonly GraphProto _graph = new();

        /// <summary>Adds a node whose one output is named after it, as PyTorch's exporter names values.</summary>
        public string Node(string name, string opType, string[] inputs, params AttributeProto[] attributes) =>
            Node(name, opType, inputs, [name + "_output_0"], attributes)[0];

        public string[] Node(string name, string opType, string[] inputs, string[] outputs,
            params AttributeProto[] attributes)
        {
            var node = new NodeProto { Name = name, OpType = opType };
            node.Input.AddRange(inputs);
            node.Output.AddRange(outputs);
            node.Attribute.AddRange(attributes);
            _graph.Node.Add(node);
            return outputs;
        }

        public string Weight(string name, Tensor value)
        {
            _graph.Initializer.Add(OnnxTensors.FromTensor(value.to(ScalarType.Float32), name));
            return name;
        }

        /// <summary>A convolution with the BatchNorm after it folded into its weight and bias.</summary>
        public string ConvBatchNorm(string name, string input, string conv, string batchNorm, int stride)
        {
            Tensor weight = stateDict[conv + ".weight"];
            Tensor scale = stateDict[batchNorm + ".weight"]
                / (stateDict[batchNorm + ".running_var"] + BatchNormEpsilon).sqrt();
            Tensor folded = weight * scale.reshape(-1, 1, 1, 1);
            Tensor bias = stateDict[batchNorm + ".bias"] - stateDict[batchNorm + ".running_mean"] * scale;
            long kernel = weight.shape[2], pad = kernel / 2;
            return Node(name, "Conv", [input, Weight(conv + ".weight", folded), Weight(conv + ".bias", bias)],
                Ints("kernel_shape", kernel, kernel), Ints("strides", stride, stride),
                Ints("pads", pad, pad, pad, pad), Ints("dilations", 1, 1));
        }

        /// <summary>
        /// A basic block (two 3 x 3 convolutions) or, where a third convolution exists, a bottleneck (1 x 1, 3 x 3
        /// with the stride, 1 x 1), with the downsampling shortcut where its weights exist.
        /// </summary>
        public string Block(string stage, int block, string input, int stride)
        {
            string path = $"{stage}.{block}", scope = $"/{stage}/{path}";
            bool bottleneck = stateDict.ContainsKey(path + ".conv3.weight");
            string x = ConvBatchNorm($"{scope}/conv1/Conv", input, path + ".conv1", path + ".bn1",
                bottleneck ? 1 : stride);
            x = Node($"{scope}/relu/Relu", "Relu", [x]);
            x = ConvBatchNorm($"{scope}/conv2/Conv", x, path + ".conv2", path + ".bn2", bottleneck ? stride : 1);
            if (bottleneck)
            {
                x = Node($"{scope}/relu_1/Relu", "Relu", [x]);
                x = ConvBatchNorm($"{scope}/conv3/Conv", x, path + ".conv3", path + ".bn3", 1);
            }
            string shortcut = stateDict.ContainsKey(path + ".downsample.0.weight")
                ? ConvBatchNorm($"{scope}/downsample/downsample.0/Conv", input, path + ".downsample.0",
                    path + ".downsample.1", stride)
                : input;
            x = Node($"{scope}/Add", "Add", [x, shortcut]);
            return Node($"{scope}/relu_{(bottleneck ? 2 : 1)}/Relu", "Relu", [x]);
        }

        public ModelProto ToModel(string name)
        {
            _graph.Name = name;
            _graph.Input.Add(Value(InputName, new TensorShapeProto.Types.Dimension { DimParam = "batch" },
                new() { DimValue = 3 }, new() { DimParam = "height" }, new() { DimParam = "width" }));
            _graph.Output.Add(Value(OutputName, new TensorShapeProto.Types.Dimension { DimParam = "batch" },
                new() { DimValue = stateDict["fc.weight"].shape[0] }));
            var model = new ModelProto
            {
                IrVersion = 7, ProducerName = "GradCamSharp", Graph = _graph,
            };
            model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = Opset });
            return model;
        }

        private static ValueInfoProto Value(string name, params TensorShapeProto.Types.Dimension[] dimensions)
        {
            var shape = new TensorShapeProto();
            shape.Dim.AddRange(dimensions);
            return new ValueInfoProto
            {
                Name = name,
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
}
