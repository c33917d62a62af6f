using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace GradCamSharp.Onnx.Operators;

internal static partial class OnnxOperators
{
    private static void RegisterShapes(Dictionary<string, OperatorDefinition> r)
    {
        r["Constant"] =
            Single(["value", "value_float", "value_floats", "value_int", "value_ints"], (n, _) => ConstantValue(n), n =>
        {
            if (n.Attributes.Names.Count() != 1) throw n.Unsupported("expected exactly one value attribute, got: " +
                $"{string.Join(", ", n.Attributes.Names)}");
        });
        r["ConstantOfShape"] = Single(["value"], (n, i) =>
        {
            long[] shape = n.Bounded(Longs(Required(i, 0, n)));
            Tensor? value = n.Attributes.TensorOrNull("value");
            return value is null ? zeros(shape) : value.flatten()[0].expand(shape).clone();
        });
        r["Shape"] = Single(["start", "end"], (n, i) =>
        {
            long[] shape = Required(i, 0, n).shape;
            int rank = shape.Length;
            int start = (int)Math.Clamp(NormaliseAxis(n.Attributes.Int("start", 0), rank), 0, rank);
            int end = (int)Math.Clamp(NormaliseAxis(n.Attributes.Int("end", rank), rank), 0, rank);
            return tensor(shape[start..Math.Max(start, end)]);
        });
        r["Size"] = Single([], (n, i) => tensor(Required(i, 0, n).numel()));
        r["Reshape"] = Single(["shape", "allowzero", "consumed_inputs"], (n, i) =>
        {
            Tensor x = Required(i, 0, n);
            long[] target = n.Opset < 5 ? n.Attributes.Ints("shape") ?? [] : Longs(Required(i, 1, n));
            bool allowZero = n.Attributes.Int("allowzero", 0) != 0;
            for (int d = 0; d < target.Length; d++)
            {
                if (target[d] == 0 && !allowZero) target[d] = x.shape[d];
            }
            return x.reshape(target);
        });
        r["Flatten"] = Single(["axis"], (n, i) =>
        {
            Tensor x = Required(i, 0, n);
            long axis = NormaliseAxis(n.Attributes.Int("axis", 1), x.dim());
            long rows = x.shape[..(int)axis].Aggregate(1L, (a, b) => a * b);
            // Both sizes given: an empty tensor (no detections) has no -1 to infer.
            return x.reshape(rows, x.shape[(int)axis..].Aggregate(1L, (a, b) => a * b));
        });
        r["Transpose"] = Single(["perm"], (n, i) =>
        {
            Tensor x = Required(i, 0, n);
            long[] perm =
                n.Attributes.Ints("perm") ?? Enumerable.Range(0, (int)x.dim()).Reverse().Select(d => (long)d).ToArray();
            return x.permute(perm);
        });
        r["Squeeze"] = Single(["axes"], (n, i) =>
        {
            Tensor x = Required(i, 0, n);
            long[]? axes = n.Opset < 13 ? n.Attributes.Ints("axes") : Optional(i, 1) is Tensor a ? Longs(a) : null;
            if (axes is null) return x.squeeze();
            long[] keep =
                Enumerable.Range(0, (int)x.dim()).Where(d => !axes.Select(a => NormaliseAxis(a, x.dim())).Contains(d))
                .Select(d => x.shape[d]).ToArray();
            return x.reshape(keep);
        });
        r["Unsqueeze"] = Single(["axes"], (n, i) =>
        {
            Tensor x = Required(i, 0, n);
            long[] axes = n.Opset < 13 ? n.Attributes.Ints("axes") ?? [] : Longs(Required(i, 1, n));
            long rank = x.dim() + axes.Length;
            foreach (long axis in axes.Select(a => NormaliseAxis(a, rank)).Order()) x = x.unsqueeze(axis);
            return x;
        });
        r["Concat"] = Single(["axis"], (n, i) =>
        {
            Tensor[] parts = i.Where(t => t is not null).Select(t => t!).ToArray();
            long axis = NormaliseAxis(n.Attributes.Int("axis", 0), parts[0].dim());
            return cat(parts.Where(p => p.numel() > 0 || parts.All(q => q.numel() == 0)).ToArray(), axis);
        });
        r["Gather"] = Single(["axis"], (n, i) =>
        {
            Tensor x = Required(i, 0, n), indices = Required(i, 1, n).to(ScalarType.Int64);
            long axis = NormaliseAxis(n.Attributes.Int("axis", 0), x.dim());
            indices = where(indices.lt(0), indices + x.shape[axis], indices);
            Tensor picked = x.index_select(axis, indices.flatten());
            return picked.reshape([.. x.shape[..(int)axis], .. indices.shape, .. x.shape[(int)(axis + 1)..]]);
        });
        r["GatherElements"] = Single(["axis"], (n, i) =>
        {
            Tensor x = Required(i, 0, n), indices = Required(i, 1, n).to(ScalarType.Int64);
            long axis = NormaliseAxis(n.Attributes.Int("axis", 0), x.dim());
            return x.gather(axis, where(indices.lt(0), indices + x.shape[axis], indices));
        });
        r["ScatterND"] = Single(["reduction"], (n, i) =>
        {
            Tensor data = Required(i, 0, n), indices = Required(i, 1, n).to(ScalarType.Int64);
            Tensor updates = Required(i, 2, n).to(data.dtype);
            // Each index row addresses one slice of the first 'depth' axes: write (or add) the updates there, through
            // the rows' linear positions in those axes, so that gradients reach both the data and the updates.
            int depth = (int)indices.shape[^1];
            Tensor rows = indices.reshape(-1, depth);
            Tensor linear = zeros(rows.shape[0], ScalarType.Int64);
            for (int k = 0; k < depth; k++)
            {
                Tensor index = rows[.., k];
                linear = linear * data.shape[k] + where(index.lt(0), index + data.shape[k], index);
            }
            long[] slice = data.shape[depth..];
            Tensor flat = data.reshape([-1, .. slice]);
            Tensor values = updates.reshape([rows.shape[0], .. slice]);
            Tensor written = n.Attributes.String("reduction", "none") == "add"
                ? flat.index_add(0, linear, values, 1) : flat.index_copy(0, linear, values);
            return written.reshape(data.shape);
        }, n =>
        {
            if (n.Attributes.String("reduction", "none") is not ("none" or "add"))
                throw n.Unsupported("reduction must be 'none' or 'add'");
        });
        r["Slice"] = Single(["starts", "ends", "axes"], Slice);
        r["Split"] = new(["axis", "split", "num_outputs"], (n, i, _) =>
        {
            Tensor x = Required(i, 0, n);
            long axis = NormaliseAxis(n.Attributes.Int("axis", 0), x.dim());
            long[]? sizes = n.Opset < 13 ? n.Attributes.Ints("split") : Optional(i, 1) is Tensor s ? Longs(s) : null;
            int parts = n.Outputs.Length;
            if (sizes is null)
            {
                long chunk = (x.shape[axis] + parts - 1) / parts;
                sizes = Enumerable.Range(0,
                    parts).Select(k => Math.Min(chunk, Math.Max(0, x.shape[axis] - k * chunk))).ToArray();
            }
            return x.split(sizes, axis);
        });
        r["Expand"] = Single([], (n, i) =>
        {
            Tensor x = Required(i, 0, n);
            long[] shape = Longs(Required(i, 1, n));
            int rank = Math.Max(shape.Length, (int)x.dim());
            var target = new long[rank];
            for (int d = 0; d < rank; d++)
            {
                long a = d - (rank - x.dim()) >= 0 ? x.shape[d - (rank - x.dim())] : 1;
                long b = d - (rank - shape.Length) >= 0 ? shape[d - (rank - shape.Length)] : 1;
                target[d] = a == 1 ? b : a;
            }
            // Expanded values are views, but every later operator makes them whole.
            return x.expand(n.Bounded(target));
        });
        r["Tile"] = Single([], (n, i) =>
        {
            Tensor x = Required(i, 0, n);
            long[] repeats = Longs(Required(i, 1, n));
            if (repeats.Length != x.dim())
                throw n.Failed($"{repeats.Length} repeats for a rank-{x.dim()} input");
            n.Bounded([.. x.shape.Select((size, d) => size * Math.Max(0, Math.Min(repeats[d], int.MaxValue)))]);
            return x.repeat(repeats);
        });
        r["Range"] = Single([], (n, i) =>
        {
            Tensor start = Required(i, 0, n);
            double from = Scalar(start), to = Scalar(Required(i, 1, n)), step = Scalar(Required(i, 2, n));
            double count = Math.Ceiling((to - from) / step);
            if (step == 0 || double.IsNaN(count)) throw n.Failed($"a range from {from} to {to} by {step}");
            if (count > OnnxRunException.MaxElements) throw n.Failed($"a range of {count} elements");
            return arange(from, to, step, dtype: start.dtype);
        });
        r["Pad"] = Single(["mode", "pads", "paddings", "value"], Pad, n =>
        {
            if (n.Attributes.String("mode", "constant") is not ("constant" or "reflect" or "edge" or "wrap"))
                throw n.Unsupported($"mode '{n.Attributes.String("mode", "")}' is not supported");
        });
    }

    private static Tensor ConstantValue(OnnxNode node)
    {
        NodeAttributes a = node.Attributes;
        if (a.TensorOrNull("value") is Tensor value) return value;
        if (a.Has("value_float")) return tensor(a.Float("value_float", 0));
        if (a.Floats("value_floats") is float[] floats) return tensor(floats);
        if (a.Has("value_int")) return tensor(a.Int("value_int", 0));
        if (a.Ints("value_ints") is long[] ints) return tensor(ints);
        throw node.Unsupported("no supported value attribute");
    }

    private static Tensor Slice(OnnxNode node, Tensor?[] inputs)
    {
        Tensor x = Required(inputs, 0, node);
        long[] starts, ends;
        long[]? axes, steps = null;
        if (node.Opset < 10)
        {
            starts = node.Attributes.Ints("starts") ?? [];
            ends = node.Attributes.Ints("ends") ?? [];
            axes = node.Attributes.Ints("axes");
        }
        else
        {
            starts = Longs(Required(inputs, 1, node));
            ends = Longs(Required(inputs, 2, node));
            axes = Optional(inputs, 3) is Tensor a ? Longs(a) : null;
            steps = Optional(inputs, 4) is Tensor s ? Longs(s) : null;
        }
        axes ??= Enumerable.Range(0, starts.Length).Select(d => (long)d).ToArray();
        for (int k = 0; k < axes.Length; k++)
        {
            long axis = NormaliseAxis(axes[k], x.dim());
            long size = x.shape[axis];
            long step = steps?[k] ?? 1;
            long start = starts[k] < 0 ? starts[k] + size : starts[k];
            long end = ends[k] < 0 ? ends[k] + size : ends[k];
            if (step > 0)
            {
                start = Math.Clamp(start, 0, size);
                end = Math.Clamp(end, 0, size);
                x = end > start ? x.slice(axis, start, end, step) : x.narrow(axis, 0, 0);
            }
            else
            {
                start = Math.Clamp(start, 0, size - 1);
                end = Math.Clamp(end, -1, size - 1);
                long count = start > end ? (start - end + (-step) - 1) / -step : 0;
                x = x.index_select(axis, arange(start, start + count * step, step, dtype: ScalarType.Int64));
            }
        }
        return x;
    }

    private static Tensor Pad(OnnxNode node, Tensor?[] inputs)
    {
        Tensor x = Required(inputs, 0, node);
        long[] pads;
        double value;
        if (node.Opset < 11)
        {
            pads = node.Attributes.Ints("pads") ?? node.Attributes.Ints("paddings")
                ?? throw node.Unsupported("pads is required");
            value = node.Attributes.Float("value", 0f);
        }
        else
        {
            long[] given = Longs(Required(inputs, 1, node));
            value = Optional(inputs, 2) is Tensor v && v.numel() > 0 ? Scalar(v) : 0;
            long rank = x.dim();
            pads = new long[2 * rank];
            long[] axes = Optional(inputs, 3) is Tensor a ? Longs(a).Select(axis => NormaliseAxis(axis, rank)).ToArray()
                : Enumerable.Range(0, (int)rank).Select(d => (long)d).ToArray();
            for (int k = 0; k < axes.Length; k++)
            {
                pads[axes[k]] = given[k];
                pads[axes[k] + rank] = given[k + axes.Length];
            }
        }
        // Torch pads trailing dimensions only: drop leading dimensions that are not padded.
        int dims = pads.Length / 2;
        int firstPadded = Enumerable.Range(0, dims).FirstOrDefault(d => pads[d] != 0 || pads[d + dims] != 0, dims);
        long[] kept = [.. pads[firstPadded..dims], .. pads[(dims + firstPadded)..]];
        if (kept.Length == 0) return x.alias();
        node.Bounded([.. x.shape[..firstPadded], .. x.shape[firstPadded..].Select((size, d) =>
            size + Math.Max(0, kept[d]) + Math.Max(0, kept[d + kept.Length / 2]))]);
        long[] torchPads = TorchPadOrder(kept);
        string mode = node.Attributes.String("mode", "constant");
        if (mode == "constant") return F.pad(x, torchPads, PaddingModes.Constant, value);
        // Torch's reflect/replicate/circular pad only the last 1-3 dimensions of a batched tensor.
        PaddingModes torchMode = mode switch { "reflect" => PaddingModes.Reflect, "edge" => PaddingModes.Replicate,
            _ => PaddingModes.Circular };
        if (kept.Length / 2 > 3 || kept.Length / 2 > x.dim() - 1)
            throw new NotSupportedException($"ONNX Pad '{node.Name}': mode '{mode}' on {kept.Length / 2} dimensions " +
                $"of a rank-{x.dim()} tensor is not supported");
        return F.pad(x, torchPads, torchMode);
    }
}
