using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace GradCamSharp.Onnx.Operators;

internal static partial class OnnxOperators
{
    private static readonly string[] ConvAttributes =
        ["auto_pad", "dilations", "group", "kernel_shape", "pads", "strides"];

    private static void RegisterNeuralNetwork(Dictionary<string, OperatorDefinition> r)
    {
        r["Conv"] = Single(ConvAttributes, Conv, ValidateWindow);
        r["ConvTranspose"] =
            Single([.. ConvAttributes, "output_padding", "output_shape"], ConvTranspose, ValidateWindow);
        r["MaxPool"] = new(["auto_pad", "ceil_mode", "dilations", "kernel_shape", "pads", "storage_order", "strides"],
            (n, i, _) => [MaxPool(n, Required(i, 0, n))], n =>
            {
                ValidateWindow(n);
                if (n.UsedOutputs > 1) throw n.Unsupported("the Indices output is not supported");
            });
        r["AveragePool"] =
            Single(["auto_pad", "ceil_mode", "count_include_pad", "dilations", "kernel_shape", "pads", "strides"],
            (n, i) => AveragePool(n, Required(i, 0, n)), n =>
            {
                ValidateWindow(n);
                if (n.Attributes.Ints("dilations") is long[] d && d.Any(v => v != 1))
                    throw n.Unsupported("dilated AveragePool is not supported");
            });
        r["GlobalAveragePool"] =
            Unary(x => x.mean(Enumerable.Range(2, (int)x.dim() - 2).Select(d => (long)d).ToArray(), keepdim: true));
        r["GlobalMaxPool"] =
            Unary(x => x.amax(Enumerable.Range(2, (int)x.dim() - 2).Select(d => (long)d).ToArray(), keepdim: true));
        r["BatchNormalization"] =
            Single(["epsilon", "momentum", "spatial", "is_test", "consumed_inputs", "training_mode"], (n, i) =>
            F.batch_norm(Required(i, 0, n), Required(i, 3, n), Required(i, 4, n), Required(i, 1, n), Required(i, 2, n),
                training: false, eps: n.Attributes.Float("epsilon", 1e-5f)), n =>
            {
                if (n.Attributes.Int("spatial", 1) != 1)
                    throw n.Unsupported("spatial=0 (per-activation statistics) is not supported");
                if (n.Attributes.Int("training_mode", 0) != 0)
                    throw n.Unsupported("training_mode=1 is not supported: models are imported for inference");
                if (n.UsedOutputs > 1)
                    throw n.Unsupported("the training outputs (running mean, variance) are not supported");
            });
        r["InstanceNormalization"] = Single(["epsilon"], (n, i) =>
            F.instance_norm(Required(i, 0, n), weight: Required(i, 1, n), bias: Required(i, 2, n),
                eps: n.Attributes.Float("epsilon", 1e-5f)));
        r["LayerNormalization"] = new(["axis", "epsilon", "stash_type"], (n, i, _) =>
        {
            Tensor x = Required(i, 0, n);
            long axis = NormaliseAxis(n.Attributes.Int("axis", -1), x.dim());
            long[] normalised = x.shape[(int)axis..];
            Tensor scale = Required(i, 1, n);
            Tensor? bias = Optional(i, 2);
            float epsilon = n.Attributes.Float("epsilon", 1e-5f);
            if (n.UsedOutputs == 1)
                return [F.layer_norm(x, normalised, scale.expand(normalised), bias?.expand(normalised), epsilon)];
            long[] axes = Enumerable.Range((int)axis, normalised.Length).Select(d => (long)d).ToArray();
            Tensor mean = x.mean(axes, keepdim: true);
            Tensor inverseStd = ((x - mean).square().mean(axes, keepdim: true) + epsilon).rsqrt();
            Tensor y = (x - mean) * inverseStd * scale;
            return [bias is null ? y : y + bias, mean, inverseStd];
        });
        r["LRN"] = Single(["alpha", "beta", "bias", "size"], (n, i) =>
        {
            Tensor x = Required(i, 0, n);
            long size = n.Attributes.Int("size", 1);
            float alpha = n.Attributes.Float("alpha", 1e-4f), beta = n.Attributes.Float("beta", 0.75f),
                bias = n.Attributes.Float("bias", 1f);
            // square_sum over a channel window of 'size' (floor((size-1)/2) before, ceil((size-1)/2) after), scaled by
            // alpha/size.
            Tensor squares = x.square().unsqueeze(1);
            long[] pad = new long[2 * (x.dim() - 1)];
            pad[^2] = (size - 1) / 2;
            pad[^1] = size - 1 - (size - 1) / 2;
            Tensor padded = F.pad(squares, pad);
            Tensor windowSum = padded.unfold(2, size, 1).sum(-1).squeeze(1);
            return x / (windowSum * (alpha / size) + bias).pow(beta);
        });
        r["Gemm"] = Single(["alpha", "beta", "transA", "transB", "broadcast"], (n, i) =>
        {
            Tensor a = Required(i, 0, n), b = Required(i, 1, n);
            if (a.dim() != 2 || b.dim() != 2)
                throw n.Failed($"Gemm multiplies matrices, got ranks {a.dim()} and {b.dim()}");
            if (n.Attributes.Int("transA", 0) != 0) a = a.t();
            if (n.Attributes.Int("transB", 0) != 0) b = b.t();
            float alpha = n.Attributes.Float("alpha", 1f), beta = n.Attributes.Float("beta", 1f);
            Tensor product = MatrixProduct(n, a, b);
            if (alpha != 1f) product = product * alpha;
            if (Optional(i, 2) is not Tensor c) return product;
            return beta == 1f ? product + c : product + c * beta;
        });
        r["Einsum"] = Single(["equation"], (n, i) => einsum(n.Attributes.String("equation", ""),
            [.. i.Select((t, k) => t ?? Required(i, k, n))]));
        r["MatMul"] = Single([], (n, i) => MatrixProduct(n, Required(i, 0, n), Required(i, 1, n)));
        r["Softmax"] = Single(["axis"], (n, i) => SoftmaxLike(n, Required(i, 0, n), (x, d) => x.softmax(d)));
        r["LogSoftmax"] = Single(["axis"], (n, i) => SoftmaxLike(n, Required(i, 0, n), (x, d) => x.log_softmax(d)));
        r["Dropout"] = new(["ratio", "seed", "is_test", "consumed_inputs"], (n, i, _) =>
        {
            Tensor x = Required(i, 0, n);
            return n.UsedOutputs > 1 ? [x.alias(), ones_like(x, ScalarType.Bool)] : [x.alias()];
        }, n =>
        {
            // Imported models run for inference: a training_mode input must be a constant false, or the ratio a
            // constant 0, which drops nothing in either mode (torch exports torchvision's Swin attention that way).
            bool training = n.Inputs.Length > 2 && n.Inputs[2].Length > 0
                && (n.ConstantOf(n.Inputs[2]) is not Tensor mode || Scalar(mode) != 0);
            bool dropsNothing = n.Inputs.Length > 1 && n.Inputs[1].Length > 0
                && n.ConstantOf(n.Inputs[1]) is Tensor ratio && Scalar(ratio) == 0;
            if (training && !dropsNothing)
            {
                throw n.Unsupported("training_mode must be a constant false (or the ratio a constant 0): dropout " +
                    "in training mode is not supported");
            }
        });
    }

    private static void ValidateWindow(OnnxNode node)
    {
        if (node.Attributes.Ints("kernel_shape") is { Length: < 1 or > 3 } kernel)
            throw node.Unsupported($"{kernel.Length}-D windows are not supported (1-D to 3-D are)");
        string autoPad = node.Attributes.String("auto_pad", "NOTSET");
        if (autoPad is not ("NOTSET" or "VALID" or "SAME_UPPER" or "SAME_LOWER"))
            throw node.Unsupported($"auto_pad '{autoPad}' is not supported");
        if (node.Attributes.Int("storage_order", 0) != 0) throw node.Unsupported("storage_order=1 is not supported");
    }

    /// <summary>Begin/end padding per spatial axis, resolving auto_pad (ONNX Conv/Pool spec).</summary>
    private static (long[] Begin, long[] End) Padding(OnnxNode node, long[] input, long[] kernel, long[] strides,
        long[] dilations)
    {
        int spatial = kernel.Length;
        var begin = new long[spatial];
        var end = new long[spatial];
        string autoPad = node.Attributes.String("auto_pad", "NOTSET");
        if (autoPad is "SAME_UPPER" or "SAME_LOWER")
        {
            for (int d = 0; d < spatial; d++)
            {
                long output = (input[d] + strides[d] - 1) / strides[d];
                long total = Math.Max(0, (output - 1) * strides[d] + (kernel[d] - 1) * dilations[d] + 1 - input[d]);
                begin[d] = autoPad == "SAME_UPPER" ? total / 2 : total - total / 2;
                end[d] = total - begin[d];
            }
        }
        else if (autoPad == "NOTSET")
        {
            return ExplicitPads(node, spatial);
        }
        return (begin, end);
    }

    /// <summary>The pads attribute split into its begin and end halves (zeros when absent).</summary>
    private static (long[] Begin, long[] End) ExplicitPads(OnnxNode node, int spatial)
    {
        long[] pads = node.Attributes.Ints("pads") ?? new long[2 * spatial];
        return (pads[..spatial], pads[spatial..]);
    }

    /// <summary>The operands and window attributes common to Conv and ConvTranspose.</summary>
    private sealed record Convolution(Tensor X, Tensor W, Tensor? Bias, int Spatial, long[] Kernel, long[] Strides,
        long[] Dilations, long Groups)
    {
        public static Convolution Read(OnnxNode node, Tensor?[] inputs)
        {
            Tensor w = Required(inputs, 1, node);
            int spatial = (int)w.dim() - 2;
            return new Convolution(Required(inputs, 0, node), w, Optional(inputs, 2), spatial, w.shape[2..],
                node.Attributes.Ints("strides") ?? Ones(spatial), node.Attributes.Ints("dilations") ?? Ones(spatial),
                    node.Attributes.Int("group", 1));
        }
    }

    private static long[] Ones(int count) => Enumerable.Repeat(1L, count).ToArray();

    private static Tensor Conv(OnnxNode node, Tensor?[] inputs)
    {
        (Tensor x, Tensor w, Tensor? bias, int spatial, long[] kernel, long[] strides, long[] dilations, long groups) =
            Convolution.Read(node, inputs);
        (long[] begin, long[] end) = Padding(node, x.shape[2..], kernel, strides, dilations);
        long[] padding = begin;
        if (!begin.SequenceEqual(end))
        {
            x = F.pad(x, TorchPadOrder([.. begin, .. end]));
            padding = new long[spatial];
        }
        return spatial switch
        {
            1 => F.conv1d(x, w, bias, strides[0], padding[0], dilations[0], groups),
            2 => F.conv2d(x, w, bias, strides, padding, dilations, groups),
            3 => F.conv3d(x, w, bias, strides, padding, dilations, groups),
            _ => throw node.Unsupported($"{spatial}-D convolution is not supported"),
        };
    }

    private static Tensor ConvTranspose(OnnxNode node, Tensor?[] inputs)
    {
        (Tensor x, Tensor w, Tensor? bias, int spatial, long[] kernel, long[] strides, long[] dilations, long groups) =
            Convolution.Read(node, inputs);
        long[] outputPadding = node.Attributes.Ints("output_padding") ?? new long[spatial];
        long[] input = x.shape[2..];
        var full = new long[spatial];
        for (int d = 0; d < spatial; d++)
            full[d] = (input[d] - 1) * strides[d] + (kernel[d] - 1) * dilations[d] + 1 + outputPadding[d];

        var begin = new long[spatial];
        var end = new long[spatial];
        string autoPad = node.Attributes.String("auto_pad", "NOTSET");
        long[]? outputShape = node.Attributes.Ints("output_shape");
        if (outputShape is not null || autoPad is "SAME_UPPER" or "SAME_LOWER")
        {
            for (int d = 0; d < spatial; d++)
            {
                // ONNX: total_padding = full - output_shape; SAME_UPPER puts the smaller half first, otherwise the
                // larger.
                long wanted = outputShape is not null ? outputShape[^(spatial - d)] : input[d] * strides[d];
                long total = full[d] - wanted;
                long half = total >= 0 ? total / 2 : -((-total + 1) / 2);
                begin[d] = autoPad == "SAME_UPPER" ? half : total - half;
                end[d] = total - begin[d];
                if (total < 0) (begin[d], end[d]) = (0, total);
            }
        }
        else
        {
            (begin, end) = ExplicitPads(node, spatial);
        }

        // Without bias first: padding beyond the full output (a larger output_shape) holds only the bias.
        Tensor y = spatial switch
        {
            1 => F.conv_transpose1d(x, w, null, strides[0], 0, outputPadding[0], dilations[0], groups),
            2 => F.conv_transpose2d(x, w, null, strides, null, outputPadding, dilations, groups),
            3 => F.conv_transpose3d(x, w, null, strides, null, outputPadding, dilations, groups),
            _ => throw node.Unsupported($"{spatial}-D transposed convolution is not supported"),
        };
        if (begin.Any(p => p != 0) || end.Any(p => p != 0))
            y = F.pad(y, TorchPadOrder([.. begin.Select(p => -p), .. end.Select(p => -p)]));
        if (bias is not null) y = y + bias.reshape([1, bias.shape[0], .. Enumerable.Repeat(1L, spatial)]);
        return y;
    }

    private static Tensor MaxPool(OnnxNode node, Tensor x)
    {
        long[] kernel = node.Attributes.Ints("kernel_shape") ?? throw node.Unsupported("kernel_shape is required");
        int spatial = kernel.Length;
        long[] strides = node.Attributes.Ints("strides") ?? Ones(spatial);
        long[] dilations = node.Attributes.Ints("dilations") ?? Ones(spatial);
        bool ceil = node.Attributes.Int("ceil_mode", 0) != 0;
        (long[] begin, long[] end) = Padding(node, x.shape[2..], kernel, strides, dilations);
        long[] padding = begin;
        if (!begin.SequenceEqual(end) || begin.Select((p, d) => p > kernel[d] / 2).Any(tooLarge => tooLarge))
        {
            x = F.pad(x, TorchPadOrder([.. begin, .. end]), value: double.NegativeInfinity);
            padding = new long[spatial];
        }
        return spatial switch
        {
            1 => F.max_pool1d(x, kernel[0], strides[0], padding[0], dilations[0], ceil),
            2 => F.max_pool2d(x, kernel, strides, padding, dilations, ceil),
            3 => F.max_pool3d(x, kernel, strides, padding, dilations, ceil),
            _ => throw node.Unsupported($"{spatial}-D MaxPool is not supported"),
        };
    }

    private static Tensor AveragePool(OnnxNode node, Tensor x)
    {
        long[] kernel = node.Attributes.Ints("kernel_shape") ?? throw node.Unsupported("kernel_shape is required");
        int spatial = kernel.Length;
        long[] strides = node.Attributes.Ints("strides") ?? Ones(spatial);
        bool ceil = node.Attributes.Int("ceil_mode", 0) != 0;
        bool countPadding = node.Attributes.Int("count_include_pad", 0) != 0;
        (long[] begin, long[] end) = Padding(node, x.shape[2..], kernel, strides, Ones(spatial));
        Tensor Pool(Tensor t, long[] padding, bool includePad) => spatial switch
        {
            1 => F.avg_pool1d(t, kernel[0], strides[0], padding[0], ceil, includePad),
            2 => F.avg_pool2d(t, kernel, strides, padding, ceil, includePad),
            _ => F.avg_pool3d(t, kernel, strides, padding, ceil, includePad),
        };

        if (begin.SequenceEqual(end) && begin.Select((p, d) => p <= kernel[d] / 2).All(ok => ok))
            return Pool(x, begin, countPadding);
        // Asymmetric or oversized padding: pad explicitly, and divide by the count of real (or all padded) cells.
        long[] torchPads = TorchPadOrder([.. begin, .. end]);
        Tensor sums = Pool(F.pad(x, torchPads), new long[spatial], true);
        if (countPadding) return sums;
        Tensor mask = F.pad(ones([1, 1, .. x.shape[2..]], dtype: x.dtype), torchPads);
        return sums / Pool(mask, new long[spatial], true);
    }

    private static Tensor SoftmaxLike(OnnxNode node, Tensor x, Func<Tensor, long, Tensor> function)
    {
        if (node.Opset >= 13) return function(x, node.Attributes.Int("axis", -1));
        // Before opset 13 the input is coerced to 2-D at 'axis' (default 1) and normalised over the second dimension.
        long axis = NormaliseAxis(node.Attributes.Int("axis", 1), x.dim());
        long rows = x.shape[..(int)axis].Aggregate(1L, (a, b) => a * b);
        return function(x.reshape(rows, -1), 1).reshape(x.shape);
    }

    /// <summary>
    /// NumPy's matmul, its shapes checked first: LibTorch's own check of a matrix product aborts the whole process
    /// (found by fuzzing: "terminate called after throwing c10::Error"), where every other operator's throws.
    /// </summary>
    private static Tensor MatrixProduct(OnnxNode node, Tensor a, Tensor b)
    {
        if (a.dim() == 0 || b.dim() == 0) throw node.Failed("a matrix product of a scalar");
        if (a.dtype != b.dtype) throw node.Failed($"a matrix product of {a.dtype} and {b.dtype}");
        long inner = a.shape[^1], across = b.dim() == 1 ? b.shape[0] : b.shape[^2];
        if (inner != across)
        {
            throw node.Failed($"shapes [{string.Join(", ", a.shape)}] and [{string.Join(", ", b.shape)}] cannot be " +
                "multiplied");
        }
        long[] batchA = a.dim() > 2 ? a.shape[..^2] : [], batchB = b.dim() > 2 ? b.shape[..^2] : [];
        for (int k = 1; k <= Math.Min(batchA.Length, batchB.Length); k++)
        {
            long x = batchA[^k], y = batchB[^k];
            if (x != y && x != 1 && y != 1)
            {
                throw node.Failed($"batch dimensions of [{string.Join(", ", a.shape)}] and " +
                    $"[{string.Join(", ", b.shape)}] do not broadcast");
            }
        }
        // Rows times one matrix is one matrix product. torch.matmul folds the rows into one only where they lie
        // contiguously, and otherwise multiplies row by row: a transformer's sequence-first [T, 1, C] view of its
        // tokens took 2.5x the time of the same product folded (17 ms a block on ViT-B/16).
        if (b.dim() == 2 && a.dim() > 2) return a.reshape(-1, inner).mm(b).reshape([.. a.shape[..^1], b.shape[1]]);
        return a.matmul(b);
    }
}
