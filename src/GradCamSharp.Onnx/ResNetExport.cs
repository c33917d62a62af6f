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
        var graph = new Graph(stateDict, name);
        string x = graph.ConvBatchNorm("/conv1/Conv", InputName, "conv1", "bn1", stride: 2);
        x = graph.Writer.Node("/relu/Relu", "Relu", [x]);
        x = graph.Writer.Node("/maxpool/MaxPool", "MaxPool", [x], OnnxSetting.Integers("kernel_shape", 3, 3),
            OnnxSetting.Integers("strides", 2, 2), OnnxSetting.Integers("pads", 1, 1, 1, 1));
        for (int stage = 1; stateDict.ContainsKey($"layer{stage}.0.conv1.weight"); stage++)
        {
            for (int block = 0; stateDict.ContainsKey($"layer{stage}.{block}.conv1.weight"); block++)
                x = graph.Block($"layer{stage}", block, x, stride: stage > 1 && block == 0 ? 2 : 1);
        }
        x = graph.Writer.Node("/avgpool/GlobalAveragePool", "GlobalAveragePool", [x]);
        x = graph.Writer.Node("/Flatten", "Flatten", [x], OnnxSetting.Whole("axis", 1));
        graph.Writer.Node("/fc/Gemm", "Gemm", [x, graph.Writer.Weight("fc.weight", stateDict["fc.weight"]),
            graph.Writer.Weight("fc.bias", stateDict["fc.bias"])], [OutputName], OnnxSetting.Whole("transB", 1));
        return graph.Writer.ToBytes(InputName, [null, 3, null, null], OutputName,
            [null, stateDict["fc.weight"].shape[0]]);
    }

    /// <summary>The graph under construction and the weights it folds.</summary>
    private sealed class Graph(IReadOnlyDictionary<string, Tensor> stateDict, string name)
    {
        public OnnxGraphWriter Writer { get; } = new(name, Opset);

        /// <summary>A convolution with the BatchNorm after it folded into its weight and bias.</summary>
        public string ConvBatchNorm(string name, string input, string conv, string batchNorm, int stride)
        {
            Tensor weight = stateDict[conv + ".weight"];
            (Tensor folded, Tensor bias) = OnnxGraphWriter.FoldBatchNorm(weight, null,
                stateDict[batchNorm + ".weight"], stateDict[batchNorm + ".bias"],
                stateDict[batchNorm + ".running_mean"], stateDict[batchNorm + ".running_var"], BatchNormEpsilon);
            return Writer.Conv(name, input, conv + ".weight", folded, bias, stride, padding: weight.shape[2] / 2);
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
            x = Writer.Node($"{scope}/relu/Relu", "Relu", [x]);
            x = ConvBatchNorm($"{scope}/conv2/Conv", x, path + ".conv2", path + ".bn2", bottleneck ? stride : 1);
            if (bottleneck)
            {
                x = Writer.Node($"{scope}/relu_1/Relu", "Relu", [x]);
                x = ConvBatchNorm($"{scope}/conv3/Conv", x, path + ".conv3", path + ".bn3", 1);
            }
            string shortcut = stateDict.ContainsKey(path + ".downsample.0.weight")
                ? ConvBatchNorm($"{scope}/downsample/downsample.0/Conv", input, path + ".downsample.0",
                    path + ".downsample.1", stride)
                : input;
            x = Writer.Node($"{scope}/Add", "Add", [x, shortcut]);
            return Writer.Node($"{scope}/relu_{(bottleneck ? 2 : 1)}/Relu", "Relu", [x]);
        }
    }
}
