namespace GradCamSharp.Onnx;

/// <summary>
/// An ONNX model that GradCamSharp cannot import faithfully: an unsupported operator, attribute, data type or
/// malformed graph. Raised at load time, naming the operator, the node and the opset, so that nothing ever runs with
/// silently wrong numbers.
/// </summary>
public sealed class OnnxImportException : UnreadableInputException
{
    /// <summary>An error about the model as a whole.</summary>
    public OnnxImportException(string message, Exception? inner = null) : base(message, inner) { }

    /// <summary>An error about one node.</summary>
    public OnnxImportException(string opType, string nodeName, long opset, string problem)
        : base($"ONNX {opType} (node '{nodeName}', opset {opset}): {problem}")
    {
        OpType = opType;
        NodeName = nodeName;
        Opset = opset;
    }

    /// <summary>The operator, when the problem is a node's.</summary>
    public string? OpType { get; }

    /// <summary>The node's name.</summary>
    public string? NodeName { get; }

    /// <summary>The opset the node was read under.</summary>
    public long? Opset { get; }
}
