namespace GradCamSharp.Onnx;

/// <summary>
/// An imported model that cannot run on the input it was given: an operator failed (shapes that do not fit, a value
/// out of range) or would make a tensor larger than <see cref="MaxElements"/>. A model is untrusted input, so the
/// command line reports this as unreadable input (exit code 3), naming the operator and the node.
/// </summary>
public sealed class OnnxRunException : UnreadableInputException
{
    /// <summary>The most elements one computed tensor may hold (2^31: 8 GB of float32).</summary>
    public const long MaxElements = 1L << 31;

    /// <summary>An operator of the graph failed.</summary>
    public OnnxRunException(string opType, string nodeName, long opset, string problem, Exception? inner = null)
        : base($"ONNX {opType} (node '{PrintableText.Printable(nodeName)}', opset {opset}) failed: {problem}", inner)
    {
        OpType = opType;
        NodeName = nodeName;
    }

    /// <summary>The operator that failed.</summary>
    public string OpType { get; }

    /// <summary>The node's name.</summary>
    public string NodeName { get; }
}
