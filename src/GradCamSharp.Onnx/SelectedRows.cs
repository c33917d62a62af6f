using static TorchSharp.torch;

namespace GradCamSharp.Onnx;

/// <summary>
/// The part of a graph's tail that reaches its outputs through a few rows only. A transformer's head reads its class
/// token alone (a Gather of row 0 after the last norm), so after the last attention every operation that works row by
/// row (the attention's output projection, the MLP, the norms, the residual additions, and the attention's own query
/// rows) matters for that row only: for ViT-B/16 split at its last block's <c>ln_1</c>, five sixths of the tail's
/// work. The plan runs those operations on the selected rows: a full value entering the region is narrowed where it
/// is read, reshapes get their narrowed target, and a Shape read of a narrowed value sees the full value's shape, so
/// that the exporter's shape arithmetic still holds. Found from recorded shapes, for one set of input shapes; the
/// outputs and every gradient are those of the full tail (<see cref="OnnxModule"/> compares the outputs once before
/// using a plan).
/// </summary>
internal sealed class SelectedRows
{
    /// <summary>The rows <see cref="Axis"/> keeps of a value <see cref="FullSize"/> long there.</summary>
    internal sealed record Narrowing(int Axis, long Start, long Length, long FullSize);

    /// <summary>How one node of the region runs.</summary>
    private sealed record RegionNode(Narrowing?[] Inputs, long[]? ReshapeTo, (long[] Values, long[] Shape)? Indices);

    /// <summary>Operators whose every output element depends on the elements at the same position only.</summary>
    private static readonly HashSet<string> ElementWise = new(StringComparer.Ordinal)
    {
        "Add", "Sub", "Mul", "Div", "Pow", "Max", "Min", "Where", "Erf", "Relu", "LeakyRelu", "Elu", "Selu",
        "Sigmoid", "HardSigmoid", "HardSwish", "Tanh", "Sqrt", "Reciprocal", "Neg", "Exp", "Log", "Abs", "Gelu",
        "Softplus", "Clip", "Cast", "Identity", "Dropout",
    };

    /// <summary>Operators that only relabel a value's elements: an axis of the input is one of the output's.</summary>
    private static readonly HashSet<string> Relabelling = new(StringComparer.Ordinal)
    {
        "Reshape", "Flatten", "Squeeze", "Unsqueeze",
    };

    private const int MostSelectedIndices = 16;

    private readonly Dictionary<int, RegionNode> _region;
    private readonly Dictionary<string, Narrowing> _narrowed;

    private SelectedRows(Dictionary<int, RegionNode> region, Dictionary<string, Narrowing> narrowed)
    {
        _region = region;
        _narrowed = narrowed;
    }

    /// <summary>How many nodes run on selected rows (for tests).</summary>
    public int RegionSize => _region.Count;

    /// <summary>
    /// Whether a plan may exist for these nodes: one of them gathers a few constant indices (cheap to ask, so that
    /// tails without such a head, a CNN's, never pay for recording shapes).
    /// </summary>
    public static bool MayApply(IEnumerable<OnnxNode> nodes) => nodes.Any(node => node.OpType == "Gather"
        && node.Inputs.Length == 2 && node.ConstantOf(node.Inputs[1]) is { } indices
        && indices.numel() is > 0 and <= MostSelectedIndices);

    /// <summary>
    /// The plan for running <paramref name="order"/> (indices into <paramref name="nodes"/>, topological), or null
    /// where no operation can run on fewer rows.
    /// </summary>
    /// <param name="nodes">The graph's nodes.</param>
    /// <param name="order">The nodes to run, in order.</param>
    /// <param name="shapeOf">The recorded shape of every value the nodes read or make, constants included.</param>
    /// <param name="outputs">The values wanted whole.</param>
    public static SelectedRows? Find(OnnxNode[] nodes, int[] order, Func<string, long[]?> shapeOf,
        IReadOnlyCollection<string> outputs)
    {
        var consumers = new Dictionary<string, List<(int Node, int Slot)>>(StringComparer.Ordinal);
        foreach (int index in order)
        {
            string[] inputs = nodes[index].Inputs;
            for (int k = 0; k < inputs.Length; k++)
            {
                if (inputs[k].Length == 0) continue;
                if (!consumers.TryGetValue(inputs[k], out var list)) consumers[inputs[k]] = list = [];
                list.Add((index, k));
            }
        }
        var region = new Dictionary<int, RegionNode>();
        var narrowed = new Dictionary<string, Narrowing>(StringComparer.Ordinal);
        foreach ((int index, RegionNode selection) in Selections(nodes, order, shapeOf)) region[index] = selection;
        // Consumers come after producers, so walking backwards decides every consumer before its producer.
        foreach (int index in order.Reverse())
        {
            OnnxNode node = nodes[index];
            if (region.ContainsKey(index) || node.UsedOutputs != 1 || node.Outputs[0].Length == 0) continue;
            string value = node.Outputs[0];
            if (outputs.Contains(value) || Wanted(value, consumers, region, nodes) is not Narrowing wanted) continue;
            if (InputsFor(node, wanted, shapeOf) is not Narrowing?[] inputs) continue;
            long[]? reshapeTo = null;
            if (Relabelling.Contains(node.OpType))
            {
                reshapeTo = shapeOf(value)!.ToArray();
                reshapeTo[wanted.Axis] = wanted.Length;
            }
            region[index] = new RegionNode(inputs, reshapeTo, null);
            narrowed[value] = wanted;
        }
        return narrowed.Count == 0 ? null : new SelectedRows(region, narrowed);
    }

    /// <summary>
    /// Prepares one node's arguments for a run on selected rows: narrows the full values a region node reads, gives
    /// a Shape read of a narrowed value the full shape. Returns the node's results where it runs here instead (a
    /// reshape to its narrowed target), else null.
    /// </summary>
    public Tensor[]? Prepare(int index, OnnxNode node, Tensor?[] arguments)
    {
        if (!_region.TryGetValue(index, out RegionNode? region))
        {
            if (node.OpType is "Shape" or "Size" && arguments[0] is Tensor read
                && _narrowed.TryGetValue(node.Inputs[0], out Narrowing? narrowing))
            {
                long[] full = read.shape;
                full[narrowing.Axis] = narrowing.FullSize;
                arguments[0] = zeros(1, dtype: read.dtype).expand(full);
            }
            return null;
        }
        for (int k = 0; k < arguments.Length; k++)
        {
            if (region.Inputs[k] is Narrowing wanted && arguments[k] is Tensor argument
                && !_narrowed.ContainsKey(node.Inputs[k]))
            {
                arguments[k] = argument.narrow(wanted.Axis, wanted.Start, wanted.Length);
            }
        }
        if (region.ReshapeTo is long[] target) return [arguments[0]!.reshape(target)];
        if (region.Indices is var (values, shape)) arguments[1] = tensor(values).reshape(shape);
        return null;
    }

    /// <summary>
    /// The Gathers of a few constant indices (a head reading its class token), grouped by the value they read and the
    /// axis: each becomes a region node reading the rows from the first index to the last.
    /// </summary>
    private static IEnumerable<(int Index, RegionNode Node)> Selections(OnnxNode[] nodes, int[] order,
        Func<string, long[]?> shapeOf)
    {
        var gathers = new List<(int Index, string Data, int Axis, long FullSize, long[] Indices, long[] Shape)>();
        foreach (int index in order)
        {
            OnnxNode node = nodes[index];
            // A head reads tokens of a [N, T, C] value; Gathers on shape vectors are the exporter's arithmetic.
            if (node.OpType != "Gather" || node.Inputs.Length != 2
                || shapeOf(node.Inputs[0]) is not { Length: > 1 } data
                || node.ConstantOf(node.Inputs[1]) is not { } constant
                || constant.numel() is 0 or > MostSelectedIndices) continue;
            int axis = (int)Axis(node.Attributes.Int("axis", 0), data.Length);
            long size = data[axis];
            long[] indices = constant.to(ScalarType.Int64).data<long>().Select(i => i < 0 ? i + size : i).ToArray();
            if (indices.Any(i => i < 0 || i >= size)) continue;
            gathers.Add((index, node.Inputs[0], axis, size, indices, constant.shape));
        }
        foreach (var group in gathers.GroupBy(g => (g.Data, g.Axis)))
        {
            long start = group.Min(g => g.Indices.Min()), end = group.Max(g => g.Indices.Max()) + 1;
            long fullSize = group.First().FullSize;
            // Worth it only where most rows fall away.
            if (2 * (end - start) > fullSize) continue;
            var narrowing = new Narrowing(group.Key.Axis, start, end - start, fullSize);
            foreach (var gather in group)
            {
                yield return (gather.Index, new RegionNode([narrowing, null], null,
                    ([.. gather.Indices.Select(i => i - start)], gather.Shape)));
            }
        }
    }

    /// <summary>
    /// The narrowing every reader of <paramref name="value"/> asks for (Shape reads aside), or null where one reads it
    /// whole or two ask for different rows.
    /// </summary>
    private static Narrowing? Wanted(string value, Dictionary<string, List<(int Node, int Slot)>> consumers,
        Dictionary<int, RegionNode> region, OnnxNode[] nodes)
    {
        if (!consumers.TryGetValue(value, out var readers)) return null;
        Narrowing? wanted = null;
        foreach ((int reader, int slot) in readers)
        {
            if (nodes[reader].OpType is "Shape" or "Size" && !region.ContainsKey(reader)) continue;
            if (!region.TryGetValue(reader, out RegionNode? node) || node.Inputs[slot] is not Narrowing asked)
                return null;
            if (wanted is not null && wanted != asked) return null;
            wanted = asked;
        }
        return wanted;
    }

    /// <summary>
    /// What each input of <paramref name="node"/> must hold for its output to be <paramref name="output"/>'s rows
    /// (null entries: read as they are), or null where the node mixes rows along that axis.
    /// </summary>
    private static Narrowing?[]? InputsFor(OnnxNode node, Narrowing output, Func<string, long[]?> shapeOf)
    {
        long[]?[] shapes = node.Inputs.Select(i => i.Length == 0 ? null : shapeOf(i)).ToArray();
        long[]? result = shapeOf(node.Outputs[0]);
        if (result is null || shapes.Length == 0 || shapes[0] is null) return null;
        int rank = result.Length;
        var inputs = new Narrowing?[shapes.Length];
        bool ok;
        switch (node.OpType)
        {
            case var op when ElementWise.Contains(op):
                ok = true;
                for (int k = 0; k < shapes.Length && ok; k++)
                {
                    ok = shapes[k] is null || Aligned(shapes[k]!, rank, output, out inputs[k]);
                }
                break;
            case "LayerNormalization":
                ok = output.Axis < Axis(node.Attributes.Int("axis", -1), rank);
                inputs[0] = output;
                break;
            case "Softmax" or "LogSoftmax":
                long axis = Axis(
                    node.Attributes.Int("axis", node.Opset < 13 ? 1 : -1), rank);
                ok = node.Opset < 13 ? output.Axis < axis : output.Axis != axis;
                inputs[0] = output;
                break;
            case "MatMul" when shapes[1] is { Length: >= 2 } right && shapes[0]!.Length >= 2:
                if (output.Axis == rank - 2)
                {
                    inputs[0] = output with { Axis = shapes[0]!.Length - 2 };
                    ok = shapes[0]![^2] == output.FullSize;
                }
                else
                {
                    ok = output.Axis < rank - 2 && Aligned(shapes[0]![..^2], rank - 2, output, out inputs[0])
                        && Aligned(right[..^2], rank - 2, output, out inputs[1]);
                }
                break;
            case "Gemm":
                ok = output.Axis == 0 && node.Attributes.Int("transA", 0) == 0;
                inputs[0] = output;
                if (shapes.Length > 2 && shapes[2] is { } bias) ok &= Aligned(bias, rank, output, out inputs[2]);
                break;
            case "Transpose":
                long[] perm = node.Attributes.Ints("perm")
                    ?? Enumerable.Range(0, rank).Reverse().Select(d => (long)d).ToArray();
                inputs[0] = output with { Axis = (int)perm[output.Axis] };
                ok = true;
                break;
            case var op when Relabelling.Contains(op):
                int? same = SameAxis(shapes[0]!, result, output.Axis);
                inputs[0] = same is int from ? output with { Axis = from } : null;
                ok = same is not null;
                break;
            case var op when op.StartsWith("Reduce", StringComparison.Ordinal) && op != "Reduce":
                // A norm written out (mean, variance over the last axis) keeps the rows when it reduces other axes.
                long[]? reduced = ReducedAxes(node, shapes[0]!.Length);
                int? before = reduced is null ? null : KeptAxis(shapes[0]!.Length, reduced,
                    node.Attributes.Int("keepdims", 1) != 0, output.Axis);
                inputs[0] = before is int unreduced ? output with { Axis = unreduced } : null;
                ok = before is not null;
                break;
            case "Slice":
                ok = SlicedAxes(node, shapes) is long[] sliced
                    && !sliced.Select(a => Axis(a, rank)).Contains(output.Axis);
                inputs[0] = output;
                break;
            default:
                ok = false;
                break;
        }
        bool sizesAgree = inputs.Select((input, k) => input is null || shapes[k]![input.Axis] == output.FullSize)
            .All(agrees => agrees);
        return ok && sizesAgree && inputs.Any(input => input is not null) ? inputs : null;
    }

    /// <summary>
    /// The axis of an input of shape <paramref name="shape"/> broadcast to rank <paramref name="rank"/> that holds
    /// <paramref name="output"/>'s rows (null where the input broadcasts along it); false where its size differs.
    /// </summary>
    private static bool Aligned(long[] shape, int rank, Narrowing output, out Narrowing? input)
    {
        int axis = output.Axis - (rank - shape.Length);
        input = axis < 0 || shape[axis] == 1 ? null : output with { Axis = axis };
        return input is null || shape[axis] == output.FullSize;
    }

    /// <summary>
    /// The axis of <paramref name="from"/> that a reshape to <paramref name="to"/> keeps as axis
    /// <paramref name="axis"/> (the same size, and as many elements before it), or null.
    /// </summary>
    private static int? SameAxis(long[] from, long[] to, int axis)
    {
        long before = to[..axis].Aggregate(1L, (a, b) => a * b), product = 1;
        for (int d = 0; d < from.Length; d++)
        {
            if (product == before && from[d] == to[axis]) return d;
            product *= from[d];
        }
        return null;
    }

    /// <summary>The (normalised) axes a Reduce operator reduces, where known before it runs; null otherwise.</summary>
    private static long[]? ReducedAxes(OnnxNode node, int rank)
    {
        long[]? axes = node.Attributes.Ints("axes");
        if (axes is null && node.Inputs.Length > 1 && node.Inputs[1].Length > 0)
            axes = node.ConstantOf(node.Inputs[1]) is { } given ? [.. given.to(ScalarType.Int64).data<long>()] : null;
        return axes is { Length: > 0 } ? [.. axes.Select(a => (long)Axis(a, rank))] : null;
    }

    /// <summary>The input axis that output axis <paramref name="axis"/> of a reduction is, unless
    /// reduced.</summary>
    private static int? KeptAxis(int rank, long[] reduced, bool keepDimensions, int axis)
    {
        int[] kept = [.. Enumerable.Range(0, rank).Where(d => keepDimensions || !reduced.Contains(d))];
        return axis < kept.Length && !reduced.Contains(kept[axis]) ? kept[axis] : null;
    }

    /// <summary>The axes a Slice cuts, where they are known before it runs; null otherwise.</summary>
    private static long[]? SlicedAxes(OnnxNode node, long[]?[] shapes)
    {
        if (node.Opset < 10)
        {
            long[]? starts = node.Attributes.Ints("starts");
            return node.Attributes.Ints("axes") ?? (starts is null ? null : [.. Range(starts.Length)]);
        }
        if (node.Inputs.Length > 3 && node.Inputs[3].Length > 0)
            return node.ConstantOf(node.Inputs[3]) is { } axes ? [.. axes.to(ScalarType.Int64).data<long>()] : null;
        return shapes.Length > 1 && shapes[1] is [long count] ? [.. Range((int)count)] : null;
    }

    private static int Axis(long axis, int rank) => (int)(axis < 0 ? axis + rank : axis);

    private static IEnumerable<long> Range(int count) => Enumerable.Range(0, count).Select(d => (long)d);
}
