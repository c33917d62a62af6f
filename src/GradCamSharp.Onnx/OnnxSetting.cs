using GradCamSharp.Onnx.Proto;

namespace GradCamSharp.Onnx;

/// <summary>
/// One attribute of a node that <see cref="OnnxGraphWriter"/> writes (ONNX calls them attributes): an integer, a float,
/// integers or a string.
/// </summary>
public sealed record OnnxSetting
{
    private OnnxSetting(string name) => Name = name;

    /// <summary>The attribute's name, e.g. "axis".</summary>
    public string Name { get; }

    private long? IntegerValue { get; init; }

    private float? NumberValue { get; init; }

    private long[]? IntegerValues { get; init; }

    private string? TextValue { get; init; }

    /// <summary>An integer attribute ("axis", "transB").</summary>
    public static OnnxSetting Whole(string name, long value) => new(name) { IntegerValue = value };

    /// <summary>A float attribute ("epsilon").</summary>
    public static OnnxSetting Number(string name, float value) => new(name) { NumberValue = value };

    /// <summary>An integers attribute ("kernel_shape", "perm").</summary>
    public static OnnxSetting Integers(string name, params long[] values) =>
        new(name) { IntegerValues = [.. values] };

    /// <summary>A string attribute ("mode").</summary>
    public static OnnxSetting Text(string name, string value) => new(name) { TextValue = value };

    internal AttributeProto ToProto()
    {
        var proto = new AttributeProto { Name = Name };
        if (IntegerValue is long integer)
        {
            proto.Type = AttributeProto.Types.AttributeType.Int;
            proto.I = integer;
        }
        else if (NumberValue is float real)
        {
            proto.Type = AttributeProto.Types.AttributeType.Float;
            proto.F = real;
        }
        else if (TextValue is string text)
        {
            proto.Type = AttributeProto.Types.AttributeType.String;
            proto.S = Google.Protobuf.ByteString.CopyFromUtf8(text);
        }
        else
        {
            proto.Type = AttributeProto.Types.AttributeType.Ints;
            proto.Ints.AddRange(IntegerValues!);
        }
        return proto;
    }
}
