using GradCamSharp.Onnx;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace GradCamSharp.VisionLanguage.SceneModels;

/// <summary>
/// Writes a trained <see cref="SceneTransformer"/>, <see cref="SceneSwin"/>, <see cref="SceneConvNet"/>,
/// <see cref="SceneSegmenter"/> or <see cref="SceneDetector"/> as an ONNX graph laid out as <c>torch.onnx.export</c>
/// lays out torchvision's models
/// (BatchNorm folded, scoped node names, LayerNormalization at opset 17, GELU in its Erf form, attention as MatMul,
/// scale, Softmax, MatMul; a segmenter's <c>backbone</c> and <c>classifier</c>, a detector's <c>backbone</c> and
/// <c>head</c>), so that the shipped models are explained exactly as a user's exported model is, and ONNX Runtime can
/// check them.
/// </summary>
internal static class SceneModelExport
{
    /// <summary>The graph's input.</summary>
    public const string InputName = "input";

    /// <summary>The graph's output, one logit per class.</summary>
    public const string OutputName = "logits";

    private const float LayerNormEpsilon = 1e-5f;

    /// <summary>Serializes <paramref name="model"/> (in eval mode) as ONNX.</summary>
    public static byte[] Export(Module<Tensor, Tensor> model, string name)
    {
        ArgumentNullException.ThrowIfNull(model);
        using var scope = NewDisposeScope();
        using var noGradient = no_grad();
        Dictionary<string, Tensor> weights = model.state_dict();
        var writer = new OnnxGraphWriter(name);
        if (model is SceneDetector)
        {
            string detections = Detector(writer, weights);
            return writer.ToBytes(InputName, [null, 3, null, null], detections,
                [null, weights["head.conv2.weight"].shape[0], null, null]);
        }
        if (model is SceneSegmenter)
        {
            string scores = Segmenter(writer, weights);
            return writer.ToBytes(InputName, [null, 3, null, null], scores,
                [null, weights["classifier.weight"].shape[0], null, null]);
        }
        string logits = model switch
        {
            SceneTransformer => Transformer(writer, weights),
            SceneSwin => Swin(writer, weights),
            _ => ConvNet(writer, weights),
        };
        long classes = weights["head.weight"].shape[0];
        return writer.ToBytes(InputName, [null, 3, null, null], logits, [null, classes]);
    }

    /// <summary>The transformers' convolutional stem and 1x1 projection: a [N, C, 16, 16] grid.</summary>
    private static string Stem(OnnxGraphWriter writer, Dictionary<string, Tensor> weights)
    {
        string x = InputName;
        for (int i = 1; i <= SceneTransformer.StemChannels.Length; i++)
        {
            x = ConvBatchNorm(writer, weights, $"/stem/conv{i}/Conv", x, $"stem.conv{i}", $"stem.norm{i}", 2, 1);
            x = writer.Node($"/stem/relu{i}/Relu", "Relu", [x]);
        }
        return writer.Conv("/projection/Conv", x, "projection.weight", weights["projection.weight"],
            weights["projection.bias"]);
    }

    private static string Transformer(OnnxGraphWriter writer, Dictionary<string, Tensor> weights)
    {
        string x = Stem(writer, weights);
        const int width = SceneTransformer.Width;
        x = writer.Node("/Reshape", "Reshape", [x, writer.Int64s("/Constant_output_0", 0, width, -1)]);
        x = writer.Node("/Transpose", "Transpose", [x], OnnxSetting.Integers("perm", 0, 2, 1));
        string batch = writer.Node("/Shape", "Shape", [x], OnnxSetting.Whole("start", 0), OnnxSetting.Whole("end", 1));
        string expanded = writer.Node("/Concat", "Concat", [batch, writer.Int64s("/Constant_1_output_0", 1, width)],
            OnnxSetting.Whole("axis", 0));
        string classToken = writer.Node("/Expand", "Expand",
            [writer.Weight("class_token", weights["classToken"]), expanded]);
        x = writer.Node("/Concat_1", "Concat", [classToken, x], OnnxSetting.Whole("axis", 1));
        x = writer.Node("/Add", "Add", [x, writer.Weight("positions", weights["positions"])]);
        for (int b = 0; b < SceneTransformer.Depth; b++) x = Block(writer, weights, b, x);
        x = LayerNorm(writer, weights, "/norm/LayerNormalization", x, "norm");
        x = writer.Node("/Gather", "Gather", [x, writer.Index("/Constant_2_output_0", 0)],
            OnnxSetting.Whole("axis", 1));
        return Head(writer, weights, x);
    }

    private static string Block(OnnxGraphWriter writer, Dictionary<string, Tensor> weights, int block, string input)
    {
        string scope = $"/blocks.{block}", path = $"blocks.{block}";
        const int width = SceneTransformer.Width, heads = SceneTransformer.Heads;
        string x = LayerNorm(writer, weights, $"{scope}/norm1/LayerNormalization", input, $"{path}.norm1");
        x = Linear(writer, weights, $"{scope}/qkv", x, $"{path}.qkv");
        x = writer.Node($"{scope}/Reshape", "Reshape",
            [x, writer.Int64s($"{scope}/Constant_output_0", 0, 0, 3, heads, width / heads)]);
        x = writer.Node($"{scope}/Transpose", "Transpose", [x], OnnxSetting.Integers("perm", 2, 0, 3, 1, 4));
        string[] qkv = [.. Enumerable.Range(0, 3).Select(i => writer.Node($"{scope}/Gather_{i}", "Gather",
            [x, writer.Index($"{scope}/Constant_{i + 1}_output_0", i)], OnnxSetting.Whole("axis", 0)))];
        string keys = writer.Node($"{scope}/Transpose_1", "Transpose", [qkv[1]],
            OnnxSetting.Integers("perm", 0, 1, 3, 2));
        string scores = writer.Node($"{scope}/MatMul", "MatMul", [qkv[0], keys]);
        scores = writer.Node($"{scope}/Mul", "Mul",
            [scores, writer.Scalar($"{scope}/Constant_4_output_0", TransformerBlock.Scale)]);
        string attention = writer.Node($"{scope}/Softmax", "Softmax", [scores], OnnxSetting.Whole("axis", -1));
        string mixed = writer.Node($"{scope}/MatMul_1", "MatMul", [attention, qkv[2]]);
        mixed = writer.Node($"{scope}/Transpose_2", "Transpose", [mixed], OnnxSetting.Integers("perm", 0, 2, 1, 3));
        mixed = writer.Node($"{scope}/Reshape_1", "Reshape",
            [mixed, writer.Int64s($"{scope}/Constant_5_output_0", 0, 0, width)]);
        mixed = Linear(writer, weights, $"{scope}/proj", mixed, $"{path}.proj");
        string residual = writer.Node($"{scope}/Add", "Add", [input, mixed]);
        x = LayerNorm(writer, weights, $"{scope}/norm2/LayerNormalization", residual, $"{path}.norm2");
        x = Linear(writer, weights, $"{scope}/fc1", x, $"{path}.fc1");
        x = Gelu(writer, $"{scope}/gelu", x);
        x = Linear(writer, weights, $"{scope}/fc2", x, $"{path}.fc2");
        return writer.Node($"{scope}/Add_1", "Add", [residual, x]);
    }

    /// <summary>
    /// The Swin: channels-last blocks, the patch merging before the second stage, the final norm permuted to a
    /// [N, C, H, W] map and pooled, as torch exports torchvision's <c>swin_t</c>.
    /// </summary>
    private static string Swin(OnnxGraphWriter writer, Dictionary<string, Tensor> weights)
    {
        string x = writer.Node("/Transpose", "Transpose", [Stem(writer, weights)],
            OnnxSetting.Integers("perm", 0, 2, 3, 1));
        int grid = SceneSwin.Grid;
        for (int b = 0; b < 2 * SceneSwin.BlocksPerStage; b++)
        {
            if (b == SceneSwin.BlocksPerStage)
            {
                x = Merge(writer, weights, x, grid);
                grid /= 2;
            }
            x = SwinBlock(writer, weights, b, x, grid);
        }
        x = LayerNorm(writer, weights, "/norm/LayerNormalization", x, "norm");
        x = writer.Node("/permute/Transpose", "Transpose", [x], OnnxSetting.Integers("perm", 0, 3, 1, 2));
        x = writer.Node("/avgpool/GlobalAveragePool", "GlobalAveragePool", [x]);
        x = writer.Node("/flatten/Flatten", "Flatten", [x], OnnxSetting.Whole("axis", 1));
        return Head(writer, weights, x);
    }

    /// <summary>torchvision's patch merging: four strided slices side by side, a norm, a linear map without bias.
    /// </summary>
    private static string Merge(OnnxGraphWriter writer, Dictionary<string, Tensor> weights, string x, int grid)
    {
        string[] parts = [.. new[] { (0, 0), (1, 0), (0, 1), (1, 1) }.Select((start, k) => writer.Node(
            $"/merge/Slice_{k}", "Slice", [x, writer.Int64s($"/merge/Constant_{4 * k}_output_0", start.Item1,
                start.Item2), writer.Int64s($"/merge/Constant_{4 * k + 1}_output_0", grid, grid),
                writer.Int64s($"/merge/Constant_{4 * k + 2}_output_0", 1, 2),
                writer.Int64s($"/merge/Constant_{4 * k + 3}_output_0", 2, 2)]))];
        x = writer.Node("/merge/Concat", "Concat", parts, OnnxSetting.Whole("axis", -1));
        x = LayerNorm(writer, weights, "/merge/norm/LayerNormalization", x, "mergeNorm");
        return writer.Node("/merge/reduction/MatMul", "MatMul",
            [x, writer.Weight("mergeReduction.weight_t", weights["mergeReduction.weight"].t().contiguous())]);
    }

    /// <summary>One <see cref="SceneModels.SwinBlock"/> on a <paramref name="grid"/>-square channels-last map.
    /// </summary>
    private static string SwinBlock(OnnxGraphWriter writer, Dictionary<string, Tensor> weights, int block,
        string input, int grid)
    {
        string scope = $"/blocks.{block}", path = $"blocks.{block}";
        int width = SceneSwin.StageWidth(block), heads = SceneSwin.Heads, w = SceneSwin.Window;
        const int tokens = SceneModels.SwinBlock.WindowTokens;
        bool shifted = block % 2 == 1;
        int windows = grid / w * (grid / w), constant = 0;
        string Constant(params long[] values) => writer.Int64s($"{scope}/Constant_{constant++}_output_0", values);
        string x = LayerNorm(writer, weights, $"{scope}/norm1/LayerNormalization", input, $"{path}.norm1");
        if (shifted) x = Roll(writer, $"{scope}/roll", x, grid, SceneModels.SwinBlock.Shift);
        x = writer.Node($"{scope}/Reshape", "Reshape", [x, Constant(0, grid / w, w, grid / w, w, width)]);
        x = writer.Node($"{scope}/Transpose", "Transpose", [x], OnnxSetting.Integers("perm", 0, 1, 3, 2, 4, 5));
        x = writer.Node($"{scope}/Reshape_1", "Reshape", [x, Constant(-1, tokens, width)]);
        x = Linear(writer, weights, $"{scope}/qkv", x, $"{path}.qkv");
        x = writer.Node($"{scope}/Reshape_2", "Reshape", [x, Constant(0, 0, 3, heads, width / heads)]);
        x = writer.Node($"{scope}/Transpose_1", "Transpose", [x], OnnxSetting.Integers("perm", 2, 0, 3, 1, 4));
        string[] qkv = [.. Enumerable.Range(0, 3).Select(i => writer.Node($"{scope}/Gather_{i}", "Gather",
            [x, writer.Index($"{scope}/Constant_{constant++}_output_0", i)], OnnxSetting.Whole("axis", 0)))];
        string keys = writer.Node($"{scope}/Transpose_2", "Transpose", [qkv[1]],
            OnnxSetting.Integers("perm", 0, 1, 3, 2));
        string scores = writer.Node($"{scope}/MatMul", "MatMul", [qkv[0], keys]);
        scores = writer.Node($"{scope}/Mul", "Mul",
            [scores, writer.Scalar($"{scope}/Constant_{constant++}_output_0", SceneModels.SwinBlock.Scale(width))]);
        if (shifted)
        {
            scores = writer.Node($"{scope}/Reshape_3", "Reshape",
                [scores, Constant(-1, windows, heads, tokens, tokens)]);
            using Tensor mask = SceneModels.SwinBlock.Mask(grid, grid).unsqueeze(1);
            scores = writer.Node($"{scope}/Add", "Add", [scores, writer.Weight($"{scope}/attention_mask", mask)]);
            scores = writer.Node($"{scope}/Reshape_4", "Reshape", [scores, Constant(-1, heads, tokens, tokens)]);
        }
        string attention = writer.Node($"{scope}/Softmax", "Softmax", [scores], OnnxSetting.Whole("axis", -1));
        string mixed = writer.Node($"{scope}/MatMul_1", "MatMul", [attention, qkv[2]]);
        mixed = writer.Node($"{scope}/Transpose_3", "Transpose", [mixed], OnnxSetting.Integers("perm", 0, 2, 1, 3));
        mixed = writer.Node($"{scope}/Reshape_5", "Reshape", [mixed, Constant(0, 0, width)]);
        mixed = Linear(writer, weights, $"{scope}/proj", mixed, $"{path}.proj");
        mixed = writer.Node($"{scope}/Reshape_6", "Reshape", [mixed, Constant(-1, grid / w, grid / w, w, w, width)]);
        mixed = writer.Node($"{scope}/Transpose_4", "Transpose", [mixed],
            OnnxSetting.Integers("perm", 0, 1, 3, 2, 4, 5));
        mixed = writer.Node($"{scope}/Reshape_7", "Reshape", [mixed, Constant(-1, grid, grid, width)]);
        if (shifted) mixed = Roll(writer, $"{scope}/roll_back", mixed, grid, grid - SceneModels.SwinBlock.Shift);
        string residual = writer.Node($"{scope}/Add_1", "Add", [input, mixed]);
        x = LayerNorm(writer, weights, $"{scope}/norm2/LayerNormalization", residual, $"{path}.norm2");
        x = Linear(writer, weights, $"{scope}/fc1", x, $"{path}.fc1");
        x = Gelu(writer, $"{scope}/gelu", x);
        x = Linear(writer, weights, $"{scope}/fc2", x, $"{path}.fc2");
        return writer.Node($"{scope}/Add_2", "Add", [residual, x]);
    }

    /// <summary>
    /// torch.roll by -<paramref name="shift"/> along rows and columns of a [N, H, W, C] map of side
    /// <paramref name="grid"/>, as torch exports it: on each axis the rows from the shift on, then those before it.
    /// </summary>
    private static string Roll(OnnxGraphWriter writer, string scope, string x, int grid, int shift)
    {
        for (int axis = 1; axis <= 2; axis++)
        {
            string Part(int k, long start, long end) => writer.Node($"{scope}/Slice_{2 * axis + k}", "Slice",
                [x, writer.Int64s($"{scope}/Constant_{6 * axis + 3 * k}_output_0", start),
                    writer.Int64s($"{scope}/Constant_{6 * axis + 3 * k + 1}_output_0", end),
                    writer.Int64s($"{scope}/Constant_{6 * axis + 3 * k + 2}_output_0", axis)]);
            x = writer.Node($"{scope}/Concat_{axis}", "Concat", [Part(0, shift, grid), Part(1, 0, shift)],
                OnnxSetting.Whole("axis", axis));
        }
        return x;
    }

    /// <summary>GELU as torch exports it: x * 0.5 * (1 + erf(x / sqrt 2)).</summary>
    private static string Gelu(OnnxGraphWriter writer, string scope, string x)
    {
        string y = writer.Node($"{scope}/Div", "Div", [x, writer.Scalar($"{scope}/Constant_output_0", MathF.Sqrt(2))]);
        y = writer.Node($"{scope}/Erf", "Erf", [y]);
        y = writer.Node($"{scope}/Add", "Add", [y, writer.Scalar($"{scope}/Constant_1_output_0", 1)]);
        y = writer.Node($"{scope}/Mul", "Mul", [x, y]);
        return writer.Node($"{scope}/Mul_1", "Mul", [y, writer.Scalar($"{scope}/Constant_2_output_0", 0.5f)]);
    }

    private static string ConvNet(OnnxGraphWriter writer, Dictionary<string, Tensor> weights)
    {
        string x = Encoder(writer, weights, "encoder");
        x = writer.Node("/GlobalMaxPool", "GlobalMaxPool", [x]);
        x = writer.Node("/Flatten", "Flatten", [x], OnnxSetting.Whole("axis", 1));
        return Head(writer, weights, x);
    }

    /// <summary>The shape world's CNN (<see cref="ShapeEncoder"/>) under the module path <paramref name="path"/>.
    /// </summary>
    private static string Encoder(OnnxGraphWriter writer, Dictionary<string, Tensor> weights, string path)
    {
        string x = InputName;
        for (int i = 1; i <= 3; i++)
        {
            x = ConvBatchNorm(writer, weights, $"/{path}/conv{i}/Conv", x, $"{path}.conv{i}", $"{path}.norm{i}", 2, 1);
            x = writer.Node($"/{path}/relu{i}/Relu", "Relu", [x]);
        }
        string last = ShapeEncoder.LastConvolution;
        x = writer.Conv($"/{path}/{last}/Conv", x, $"{path}.{last}.weight", weights[$"{path}.{last}.weight"],
            weights[$"{path}.{last}.bias"], padding: 2, dilation: 2);
        return writer.Node($"/{path}/{ShapeEncoder.OutputLayer}/Relu", "Relu", [x]);
    }

    /// <summary>The segmenter: backbone, 1x1 classifier, bilinear upsampling by the backbone's stride.</summary>
    private static string Segmenter(OnnxGraphWriter writer, Dictionary<string, Tensor> weights)
    {
        string x = Encoder(writer, weights, "backbone");
        x = writer.Conv("/classifier/Conv", x, "classifier.weight", weights["classifier.weight"],
            weights["classifier.bias"]);
        using Tensor scales = tensor(new float[] { 1, 1, ShapeEncoder.Stride, ShapeEncoder.Stride });
        return writer.Node("/Resize", "Resize", [x, "", writer.Weight("/Constant_output_0", scales)], ["scores"],
            OnnxSetting.Text("mode", "linear"), OnnxSetting.Text("coordinate_transformation_mode", "half_pixel"))[0];
    }

    /// <summary>The detector: backbone, then the head's 3x3 convolution, ReLU and 1x1 convolution.</summary>
    private static string Detector(OnnxGraphWriter writer, Dictionary<string, Tensor> weights)
    {
        string x = Encoder(writer, weights, "backbone");
        x = writer.Conv("/head/conv1/Conv", x, "head.conv1.weight", weights["head.conv1.weight"],
            weights["head.conv1.bias"], padding: 1);
        x = writer.Node("/head/relu/Relu", "Relu", [x]);
        return writer.Node("/head/conv2/Conv", "Conv", [x, writer.Weight("head.conv2.weight",
            weights["head.conv2.weight"]), writer.Weight("head.conv2.bias", weights["head.conv2.bias"])],
            ["detections"], OnnxSetting.Integers("kernel_shape", 1, 1), OnnxSetting.Integers("strides", 1, 1),
            OnnxSetting.Integers("pads", 0, 0, 0, 0), OnnxSetting.Integers("dilations", 1, 1))[0];
    }

    private static string Head(OnnxGraphWriter writer, Dictionary<string, Tensor> weights, string x) =>
        writer.Node("/head/Gemm", "Gemm", [x, writer.Weight("head.weight", weights["head.weight"]),
            writer.Weight("head.bias", weights["head.bias"])], [OutputName], OnnxSetting.Whole("transB", 1))[0];

    private static string ConvBatchNorm(OnnxGraphWriter writer, Dictionary<string, Tensor> weights, string node,
        string input, string conv, string norm, long stride, long padding)
    {
        (Tensor weight, Tensor bias) = OnnxGraphWriter.FoldBatchNorm(weights[conv + ".weight"], null,
            weights[norm + ".weight"], weights[norm + ".bias"], weights[norm + ".running_mean"],
            weights[norm + ".running_var"]);
        return writer.Conv(node, input, conv + ".weight", weight, bias, stride, padding);
    }

    private static string LayerNorm(OnnxGraphWriter writer, Dictionary<string, Tensor> weights, string node,
        string input, string path) =>
        writer.Node(node, "LayerNormalization", [input, writer.Weight(path + ".weight", weights[path + ".weight"]),
            writer.Weight(path + ".bias", weights[path + ".bias"])], OnnxSetting.Whole("axis", -1),
            OnnxSetting.Number("epsilon", LayerNormEpsilon));

    /// <summary>A linear layer as torch exports it for a 3-D input: MatMul by the transposed weight, Add.</summary>
    private static string Linear(OnnxGraphWriter writer, Dictionary<string, Tensor> weights, string scope,
        string input, string path)
    {
        string x = writer.Node($"{scope}/MatMul", "MatMul",
            [input, writer.Weight(path + ".weight_t", weights[path + ".weight"].t().contiguous())]);
        return writer.Node($"{scope}/Add", "Add", [x, writer.Weight(path + ".bias", weights[path + ".bias"])]);
    }
}
