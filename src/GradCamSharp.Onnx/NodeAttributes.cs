using System.Text;
using GradCamSharp.Onnx.Proto;
using static TorchSharp.torch;

namespace GradCamSharp.Onnx;

/// <summary>Typed access to a node's attributes.</summary>
internal sealed class NodeAttributes
{
    private readonly Dictionary<string, AttributeProto> _byName;
    private readonly ExternalData? _externalData;

    public NodeAttributes(IEnumerable<AttributeProto> attributes, ExternalData? externalData)
    {
        _byName = attributes.ToDictionary(a => a.Name, StringComparer.Ordinal);
        _externalData = externalData;
    }

    public IEnumerable<string> Names => _byName.Keys;

    public bool Has(string name) => _byName.ContainsKey(name);

    public long Int(string name, long fallback) => _byName.TryGetValue(name, out AttributeProto? a) ? a.I : fallback;

    public long? IntOrNull(string name) => _byName.TryGetValue(name, out AttributeProto? a) ? a.I : null;

    public float Float(string name, float fallback) =>
        _byName.TryGetValue(name, out AttributeProto? a) ? a.F : fallback;

    public long[]? Ints(string name) => _byName.TryGetValue(name, out AttributeProto? a) ? a.Ints.ToArray() : null;

    public float[]? Floats(string name) => _byName.TryGetValue(name, out AttributeProto? a) ? a.Floats.ToArray() : null;

    public string String(string name, string fallback) =>
        _byName.TryGetValue(name, out AttributeProto? a) ? Encoding.UTF8.GetString(a.S.Span) : fallback;

    public Tensor? TensorOrNull(string name) =>
        _byName.TryGetValue(name, out AttributeProto? a) && a.T is not null
            ? OnnxTensors.ToTensor(a.T, _externalData) : null;

    public AttributeProto? Raw(string name) => _byName.GetValueOrDefault(name);
}
