using static TorchSharp.torch;

namespace GradCamSharp.Onnx.Operators;

internal static partial class OnnxOperators
{
    private static readonly string[] ResizeModes = ["nearest", "linear"];
    private static readonly string[] CoordinateModes =
        ["half_pixel", "pytorch_half_pixel", "align_corners", "asymmetric"];
    private static readonly string[] NearestModes = ["round_prefer_floor", "round_prefer_ceil", "floor", "ceil"];

    private static void RegisterResize(Dictionary<string, OperatorDefinition> r)
    {
        r["Resize"] =
            Single(["mode", "coordinate_transformation_mode", "nearest_mode", "cubic_coeff_a", "exclude_outside",
            "extrapolation_value", "antialias", "axes", "keep_aspect_ratio_policy"], (n, i) =>
        {
            Tensor x = Required(i, 0, n);
            Tensor? scales = n.Opset < 11 ? Optional(i, 1) : Optional(i, 2);
            Tensor? sizes = n.Opset < 11 ? null : Optional(i, 3);
            string coordinates =
                n.Opset < 11 ? "asymmetric" : n.Attributes.String("coordinate_transformation_mode", "half_pixel");
            return Interpolate(n, x, scales is { } s && s.numel() > 0 ? Floats(s) : null,
                sizes is { } z && z.numel() > 0 ? Longs(z) : null,
                n.Attributes.String("mode", "nearest"), coordinates,
                    n.Attributes.String("nearest_mode", "round_prefer_floor"));
        }, n =>
        {
            if (!ResizeModes.Contains(n.Attributes.String("mode", "nearest")))
                throw n.Unsupported($"mode '{n.Attributes.String("mode", "")}' is not supported");
            if (!CoordinateModes.Contains(n.Attributes.String("coordinate_transformation_mode", "half_pixel")))
                throw n.Unsupported("coordinate_transformation_mode " +
                    $"'{n.Attributes.String("coordinate_transformation_mode", "")}' is not supported");
            if (!NearestModes.Contains(n.Attributes.String("nearest_mode", "round_prefer_floor")))
                throw n.Unsupported("this nearest_mode is not supported");
            if (n.Attributes.Int("antialias", 0) != 0) throw n.Unsupported("antialias=1 is not supported");
            if (n.Attributes.Has("axes")) throw n.Unsupported("the axes attribute is not supported");
            if (n.Attributes.String("keep_aspect_ratio_policy", "stretch") != "stretch")
                throw n.Unsupported("keep_aspect_ratio_policy is not supported");
            if (n.Attributes.Int("exclude_outside", 0) != 0) throw n.Unsupported("exclude_outside=1 is not supported");
        });
        r["Upsample"] = Single(["mode", "scales", "height_scale", "width_scale"], (n, i) =>
        {
            Tensor x = Required(i, 0, n);
            double[] scales = n.Opset >= 9 ? Floats(Required(i, 1, n))
                : n.Attributes.Floats("scales")?.Select(v => (double)v).ToArray()
                  ?? [1, 1, n.Attributes.Float("height_scale", 1), n.Attributes.Float("width_scale", 1)];
            string mode = n.Attributes.String("mode", "nearest") == "bilinear" ? "linear" : n.Attributes.String("mode",
                "nearest");
            return Interpolate(n, x, scales, null, mode, "asymmetric", "floor");
        }, n =>
        {
            if (n.Attributes.String("mode", "nearest") is not ("nearest" or "linear" or "bilinear"))
                throw n.Unsupported("only nearest and linear modes are supported");
        });
    }

    private static double[] Floats(Tensor t) => t.to(ScalarType.Float64).cpu().data<double>().ToArray();

    /// <summary>
    /// ONNX Resize semantics computed exactly: per axis, each output coordinate maps back to the input through the
    /// coordinate transformation, then nearest or linear sampling gathers along that axis (separable, differentiable).
    /// </summary>
    private static Tensor Interpolate(OnnxNode node, Tensor x, double[]? scales, long[]? sizes, string mode,
        string coordinates, string nearestMode)
    {
        int rank = (int)x.dim();
        if (sizes is null && scales is null)
            throw new NotSupportedException($"ONNX {node.OpType} '{node.Name}': neither scales nor sizes given");
        if ((sizes?.Length ?? scales!.Length) != rank)
            throw node.Failed($"{sizes?.Length ?? scales!.Length} sizes or scales for a rank-{rank} input");
        node.Bounded([.. Enumerable.Range(0, rank).Select(axis => sizes is not null ? sizes[axis]
            : scales![axis] is >= 0 and < 9e18 ? (long)Math.Min(Math.Floor(x.shape[axis] * scales[axis]),
                long.MaxValue / 2) : -1)]);
        for (int axis = 0; axis < rank; axis++)
        {
            long input = x.shape[axis];
            long output = sizes is not null ? sizes[axis] : (long)Math.Floor(input * scales![axis]);
            double scale = sizes is not null ? (double)output / input : scales![axis];
            // ONNX measures the resized length before flooring when scales are given (it matters for align_corners).
            double resizedLength = sizes is not null ? output : input * scale;
            if (output == input && Math.Abs(scale - 1) < 1e-12) continue;
            var positions = new double[output];
            for (long o = 0; o < output; o++)
            {
                positions[o] = coordinates switch
                {
                    "half_pixel" => (o + 0.5) / scale - 0.5,
                    "pytorch_half_pixel" => output > 1 ? (o + 0.5) / scale - 0.5 : 0,
                    "align_corners" => resizedLength > 1 ? o * (input - 1) / (resizedLength - 1) : 0,
                    _ => o / scale,
                };
            }
            if (mode == "nearest")
            {
                long[] index = positions.Select(p => Math.Clamp(nearestMode switch
                {
                    "floor" => (long)Math.Floor(p),
                    "ceil" => (long)Math.Ceiling(p),
                    "round_prefer_ceil" => (long)Math.Floor(p + 0.5),
                    _ => (long)Math.Ceiling(p - 0.5),
                }, 0, input - 1)).ToArray();
                x = x.index_select(axis, tensor(index));
            }
            else
            {
                var low = new long[output];
                var high = new long[output];
                var weight = new float[output];
                for (long o = 0; o < output; o++)
                {
                    double p = Math.Clamp(positions[o], 0, input - 1);
                    low[o] = (long)Math.Floor(p);
                    high[o] = Math.Min(low[o] + 1, input - 1);
                    weight[o] = (float)(p - low[o]);
                }
                long[] shape = Enumerable.Repeat(1L, rank).ToArray();
                shape[axis] = output;
                Tensor w = tensor(weight).to(x.dtype).reshape(shape);
                x = x.index_select(axis, tensor(low)) * (1 - w) + x.index_select(axis, tensor(high)) * w;
            }
        }
        return x;
    }
}
