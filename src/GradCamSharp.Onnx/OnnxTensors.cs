using System.Runtime.InteropServices;
using GradCamSharp.Onnx.Proto;
using Google.Protobuf;
using static TorchSharp.torch;

namespace GradCamSharp.Onnx;

/// <summary>Converts between ONNX TensorProto and TorchSharp tensors.</summary>
internal static class OnnxTensors
{
    /// <summary>The TorchSharp type of an ONNX element type, or null when TorchSharp has none we support.</summary>
    public static ScalarType? ScalarTypeOf(int onnxType) => (TensorProto.Types.DataType)onnxType switch
    {
        TensorProto.Types.DataType.Float => ScalarType.Float32,
        TensorProto.Types.DataType.Double => ScalarType.Float64,
        TensorProto.Types.DataType.Float16 => ScalarType.Float16,
        TensorProto.Types.DataType.Bfloat16 => ScalarType.BFloat16,
        TensorProto.Types.DataType.Int64 => ScalarType.Int64,
        TensorProto.Types.DataType.Int32 => ScalarType.Int32,
        TensorProto.Types.DataType.Int16 => ScalarType.Int16,
        TensorProto.Types.DataType.Int8 => ScalarType.Int8,
        TensorProto.Types.DataType.Uint8 => ScalarType.Byte,
        TensorProto.Types.DataType.Bool => ScalarType.Bool,
        _ => null,
    };

    /// <summary>The ONNX element type of a TorchSharp type.</summary>
    public static int OnnxTypeOf(ScalarType type) => (int)(type switch
    {
        ScalarType.Float32 => TensorProto.Types.DataType.Float,
        ScalarType.Float64 => TensorProto.Types.DataType.Double,
        ScalarType.Float16 => TensorProto.Types.DataType.Float16,
        ScalarType.BFloat16 => TensorProto.Types.DataType.Bfloat16,
        ScalarType.Int64 => TensorProto.Types.DataType.Int64,
        ScalarType.Int32 => TensorProto.Types.DataType.Int32,
        ScalarType.Int16 => TensorProto.Types.DataType.Int16,
        ScalarType.Int8 => TensorProto.Types.DataType.Int8,
        ScalarType.Byte => TensorProto.Types.DataType.Uint8,
        ScalarType.Bool => TensorProto.Types.DataType.Bool,
        _ => throw new NotSupportedException($"no ONNX type for {type}"),
    });

    /// <summary>Decodes <paramref name="proto"/> into a new CPU tensor.</summary>
    /// <param name="proto">The serialized tensor.</param>
    /// <param name="externalData">The model's external data (its folder), or null where it may name none.</param>
    /// <exception cref="OnnxImportException">Unsupported type or unreadable data.</exception>
    public static Tensor ToTensor(TensorProto proto, ExternalData? externalData = null)
    {
        ArgumentNullException.ThrowIfNull(proto);
        ScalarType type = ScalarTypeOf(proto.DataType)
            ?? throw new OnnxImportException($"tensor '{proto.Name}' has ONNX data type " +
                $"{(TensorProto.Types.DataType)proto.DataType}, which GradCamSharp does not support");
        long[] shape = proto.Dims.ToArray();
        long count = ElementCount(proto, shape);
        int size = ElementSize(type);
        if (proto.DataLocation == TensorProto.Types.DataLocation.External)
        {
            long bytes = count <= MaxTensorBytes / size ? count * size
                : throw new OnnxImportException($"tensor '{PrintableText.Printable(proto.Name)}' declares " +
                    $"{count} elements, more than the {MaxTensorBytes >> 20} MB one tensor may take");
            return (externalData ?? new ExternalData(null)).Read(proto, shape, type, bytes);
        }
        ReadOnlySpan<byte> raw = proto.RawData.Span;
        if (!raw.IsEmpty || count == 0)
        {
            if (raw.Length != count * size)
                throw new OnnxImportException($"tensor '{PrintableText.Printable(proto.Name)}' holds {raw.Length} " +
                    $"bytes for {count} elements of {type}");
            Tensor fromBytes = empty(shape, type);
            if (count > 0) raw.CopyTo(fromBytes.bytes);
            return fromBytes;
        }
        Tensor result = type switch
        {
            ScalarType.Float32 => tensor(proto.FloatData.ToArray()),
            ScalarType.Float64 => tensor(proto.DoubleData.ToArray()),
            ScalarType.Int64 => tensor(proto.Int64Data.ToArray()),
            ScalarType.Int32 => tensor(proto.Int32Data.ToArray()),
            ScalarType.Int16 => tensor(proto.Int32Data.Select(v => (short)v).ToArray()),
            ScalarType.Int8 => tensor(proto.Int32Data.Select(v => (sbyte)v).ToArray()),
            ScalarType.Byte => tensor(proto.Int32Data.Select(v => (byte)v).ToArray()),
            ScalarType.Bool => tensor(proto.Int32Data.Select(v => v != 0).ToArray()),
            ScalarType.Float16 or ScalarType.BFloat16 =>
                FromBits(proto.Int32Data.Select(v => (ushort)v).ToArray(), type),
            _ => throw new OnnxImportException($"tensor '{proto.Name}': no typed data for {type}"),
        };
        if (result.numel() != count)
            throw new OnnxImportException($"tensor '{proto.Name}' has {result.numel()} values for shape " +
                $"[{string.Join(", ", shape)}]");
        return result.reshape(shape);
    }

    /// <summary>
    /// Encodes <paramref name="value"/> (any supported type) as a TensorProto called <paramref name="name"/>.
    /// </summary>
    public static TensorProto FromTensor(Tensor value, string name)
    {
        ArgumentNullException.ThrowIfNull(value);
        using Tensor contiguous = value.detach().cpu().contiguous();
        var proto = new TensorProto { Name = name, DataType = OnnxTypeOf(contiguous.dtype),
            RawData = ByteString.CopyFrom(contiguous.bytes) };
        proto.Dims.AddRange(contiguous.shape);
        return proto;
    }

    /// <summary>The most bytes one tensor read from a file may take (what one span of memory can address).</summary>
    private const long MaxTensorBytes = int.MaxValue;

    /// <summary>
    /// The element count of <paramref name="shape"/>, refused when a dimension is negative or the shape could not be
    /// laid out (the product of its non-zero sizes overflows: LibTorch's strides would, even for an empty tensor).
    /// </summary>
    private static long ElementCount(TensorProto proto, long[] shape)
    {
        long count = 1, extent = 1;
        foreach (long dimension in shape)
        {
            if (dimension < 0 || (dimension > 0 && extent > long.MaxValue / 4 / dimension))
                throw new OnnxImportException($"tensor '{PrintableText.Printable(proto.Name)}' has shape " +
                    $"[{string.Join(", ", shape)}]");
            extent *= Math.Max(1, dimension);
            count *= dimension;
        }
        return count;
    }

    private static Tensor FromBits(ushort[] bits, ScalarType type)
    {
        Tensor result = empty(bits.Length, type);
        result.bytes = MemoryMarshal.AsBytes(bits.AsSpan());
        return result;
    }

    private static int ElementSize(ScalarType type) => type switch
    {
        ScalarType.Float64 or ScalarType.Int64 => 8,
        ScalarType.Float32 or ScalarType.Int32 => 4,
        ScalarType.Float16 or ScalarType.BFloat16 or ScalarType.Int16 => 2,
        _ => 1,
    };
}
