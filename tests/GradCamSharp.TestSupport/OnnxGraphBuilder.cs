using GradCamSharp.Onnx;
using GradCamSharp.Onnx.Proto;
using Google.Protobuf;

namespace GradCamSharp.TestSupport;

/// <summary>Builds small ONNX models in code, for tests that need a graph of a known shape.</summary>
public sealed class OnnxGraphBuilder(string name = "test")
{
    private readonly GraphProto _graph = new() { Name = name };

    /// <summary>A float input; a dimension of -1 is left symbolic.</summary>
    public OnnxGraphBuilder Input(string value, params long[] shape)
    {
        _graph.Input.Add(Value(value, shape));
        return this;
    }

    /// <summary>A float output.</summary>
    public OnnxGraphBuilder Output(string value, params long[] shape)
    {
        _graph.Output.Add(Value(value, shape));
        return this;
    }

    /// <summary>A float initializer of <paramref name="dims"/>, row-major values.</summary>
    public OnnxGraphBuilder Initializer(string value, long[] dims, float[] values)
    {
        var tensor = new TensorProto { Name = value, DataType = (int)TensorProto.Types.DataType.Float };
        tensor.Dims.AddRange(dims);
        tensor.FloatData.AddRange(values);
        _graph.Initializer.Add(tensor);
        return this;
    }

    /// <summary>
    /// A float initializer of <paramref name="dims"/> whose values live in a file (ONNX external data):
    /// <paramref name="location"/> relative to the model's folder, with an optional offset and length in bytes.
    /// </summary>
    public OnnxGraphBuilder ExternalInitializer(string value, long[] dims, string location, long? offset = null,
        long? length = null)
    {
        var entries = new List<(string, string)> { ("location", location) };
        if (offset is long o) entries.Add(("offset", $"{o}"));
        if (length is long l) entries.Add(("length", $"{l}"));
        return ExternalInitializer(value, dims, [.. entries]);
    }

    /// <summary>A float initializer whose <c>external_data</c> entries are given as they are, valid or not.</summary>
    public OnnxGraphBuilder ExternalInitializer(string value, long[] dims, params (string Key, string Value)[] entries)
    {
        var tensor = new TensorProto
        {
            Name = value, DataType = (int)TensorProto.Types.DataType.Float,
            DataLocation = TensorProto.Types.DataLocation.External,
        };
        tensor.Dims.AddRange(dims);
        tensor.ExternalData.AddRange(entries.Select(e => new StringStringEntryProto { Key = e.Key, Value = e.Value }));
        _graph.Initializer.Add(tensor);
        return this;
    }

    /// <summary>An int64 initializer (shapes, axes).</summary>
    public OnnxGraphBuilder Initializer(string value, long[] dims, long[] values)
    {
        var tensor = new TensorProto { Name = value, DataType = (int)TensorProto.Types.DataType.Int64 };
        tensor.Dims.AddRange(dims);
        tensor.Int64Data.AddRange(values);
        _graph.Initializer.Add(tensor);
        return this;
    }

    /// <summary>A node; attributes are long, float, long[], float[] or string values.</summary>
    public OnnxGraphBuilder Node(string opType, string nodeName, string[] inputs, string[] outputs,
        params (string Name, object Value)[] attributes)
    {
        var node = new NodeProto { OpType = opType, Name = nodeName };
        node.Input.AddRange(inputs);
        node.Output.AddRange(outputs);
        foreach ((string attribute, object value) in attributes)
        {
            var proto = new AttributeProto { Name = attribute };
            switch (value)
            {
                case long i:
                    proto.Type = AttributeProto.Types.AttributeType.Int;
                    proto.I = i;
                    break;
                case int i:
                    proto.Type = AttributeProto.Types.AttributeType.Int;
                    proto.I = i;
                    break;
                case float f:
                    proto.Type = AttributeProto.Types.AttributeType.Float;
                    proto.F = f;
                    break;
                case long[] ints:
                    proto.Type = AttributeProto.Types.AttributeType.Ints;
                    proto.Ints.AddRange(ints);
                    break;
                case float[] floats:
                    proto.Type = AttributeProto.Types.AttributeType.Floats;
                    proto.Floats.AddRange(floats);
                    break;
                case string text:
                    proto.Type = AttributeProto.Types.AttributeType.String;
                    proto.S = ByteString.CopyFromUtf8(text);
                    break;
                default:
                    throw new ArgumentException($"attribute '{attribute}': unsupported value type " +
                        $"{value.GetType().Name}");
            }
            node.Attribute.Add(proto);
        }
        _graph.Node.Add(node);
        return this;
    }

    /// <summary>The serialized model.</summary>
    public byte[] ToBytes(long opset = 17)
    {
        var model = new ModelProto { IrVersion = 8, Graph = _graph.Clone() };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = opset });
        return model.ToByteArray();
    }

    /// <summary>The model imported.</summary>
    public OnnxModule Load(long opset = 17) => OnnxModule.Load(ToBytes(opset), null, _graph.Name);

    /// <summary>Writes the model to <paramref name="path"/> and returns the path.</summary>
    public string Save(string path, long opset = 17)
    {
        File.WriteAllBytes(path, ToBytes(opset));
        return path;
    }

    private static ValueInfoProto Value(string value, long[] shape)
    {
        var type = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float,
            Shape = new TensorShapeProto() };
        type.Shape.Dim.AddRange(shape.Select(d => d >= 0
            ? new TensorShapeProto.Types.Dimension { DimValue = d }
            : new TensorShapeProto.Types.Dimension { DimParam = "N" }));
        return new ValueInfoProto { Name = value, Type = new TypeProto { TensorType = type } };
    }
}
