using GradCamSharp.Onnx.Operators;
using static TorchSharp.torch;

namespace GradCamSharp.Onnx;

/// <summary>One node of an imported graph, with its attributes read and its operator resolved at load time.</summary>
internal sealed class OnnxNode
{
    public required string OpType { get; init; }

    public required string Name { get; init; }

    public required long Opset { get; init; }

    /// <summary>Input value names; "" marks an omitted optional input.</summary>
    public required string[] Inputs { get; init; }

    /// <summary>Output value names; "" marks an unused optional output.</summary>
    public required string[] Outputs { get; init; }

    public required NodeAttributes Attributes { get; init; }

    public required OperatorDefinition Operator { get; init; }

    /// <summary>
    /// The value of an initializer or earlier Constant node, for load-time checks; null for computed values.
    /// </summary>
    public Func<string, Tensor?> ConstantOf { get; init; } = _ => null;

    /// <summary>The node's subgraphs by attribute name (an If's then_branch and else_branch); empty for most.</summary>
    public IReadOnlyDictionary<string, OnnxSubgraph> Subgraphs { get; init; } =
        new Dictionary<string, OnnxSubgraph>(StringComparer.Ordinal);

    /// <summary>A load-time error about this node.</summary>
    public OnnxImportException Unsupported(string problem) => new(OpType, Name, Opset, problem);

    /// <summary>
    /// <paramref name="shape"/>, checked before a tensor of it is made: no negative size, and at most
    /// <see cref="OnnxRunException.MaxElements"/> elements (a hostile graph cannot ask for 2^40 zeros).
    /// </summary>
    public long[] Bounded(long[] shape)
    {
        long count = 1;
        foreach (long size in shape)
        {
            if (size < 0) throw Failed($"a negative size in shape [{string.Join(", ", shape)}]");
            if (size > 0 && count > OnnxRunException.MaxElements / size)
            {
                throw Failed($"shape [{string.Join(", ", shape)}] would hold more than " +
                    $"{OnnxRunException.MaxElements} elements");
            }
            count *= size;
        }
        if (count > OnnxRunException.MaxElements)
            throw Failed($"shape [{string.Join(", ", shape)}] would hold {count} elements");
        return shape;
    }

    /// <summary>A run-time failure of this node.</summary>
    public OnnxRunException Failed(string problem, Exception? inner = null) =>
        new(OpType, Name, Opset, problem, inner);

    /// <summary>How many outputs the graph actually uses.</summary>
    public int UsedOutputs => Outputs.Count(o => o.Length > 0);
}
