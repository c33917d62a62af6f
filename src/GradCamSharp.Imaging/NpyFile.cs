using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using GradCamSharp.Maps;

namespace GradCamSharp.Imaging;

/// <summary>
/// NumPy's .npy format, version 1.0 (C order), for maps that users analyse elsewhere (<c>numpy.load("dog_dog_gradcam
/// .npy")</c> gives a [height, width] float32 array; a volume's map is [depth, height, width]) and for volumes given as
/// input (float32 or float64, or 8-, 16- or 32-bit integers, little-endian, of any rank).
/// </summary>
public static partial class NpyFile
{
    private static readonly byte[] Magic = [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0];

    /// <summary>The element types read, by NumPy's descr, with their size and how a value becomes a float.</summary>
    private static readonly Dictionary<string, (int Size, Func<ReadOnlySpan<byte>, float> Read)> ElementTypes = new()
    {
        ["<f4"] = (4, BinaryPrimitives.ReadSingleLittleEndian),
        ["<f8"] = (8, b => (float)BinaryPrimitives.ReadDoubleLittleEndian(b)),
        ["|u1"] = (1, b => b[0]),
        ["|i1"] = (1, b => (sbyte)b[0]),
        ["<i2"] = (2, b => BinaryPrimitives.ReadInt16LittleEndian(b)),
        ["<u2"] = (2, b => BinaryPrimitives.ReadUInt16LittleEndian(b)),
        ["<i4"] = (4, b => BinaryPrimitives.ReadInt32LittleEndian(b)),
    };

    /// <summary>The largest array read: 512 million values (2 GiB as float32).</summary>
    private const long MaxValues = 1L << 29;

    /// <summary>Writes <paramref name="map"/> as a [height, width] float32 array.</summary>
    public static void Save(Heatmap map, string path)
    {
        ArgumentNullException.ThrowIfNull(map);
        Write([map.Height, map.Width], map.Values, path);
    }

    /// <summary>Writes <paramref name="map"/> as a [depth, height, width] float32 array.</summary>
    public static void Save(VolumeMap map, string path)
    {
        ArgumentNullException.ThrowIfNull(map);
        Write([map.Depth, map.Height, map.Width], map.Values, path);
    }

    /// <summary>Reads a 2-D array, as a map.</summary>
    /// <exception cref="UnreadableInputException">Not such a file.</exception>
    public static Heatmap Load(string path)
    {
        (int[] shape, float[] values) = LoadArray(path);
        if (shape.Length != 2) throw new UnreadableInputException($"'{path}' is not a 2-D array");
        return new Heatmap(shape[1], shape[0], values);
    }

    /// <summary>Reads an array of any rank and element type listed above, as float32 values in C order.</summary>
    /// <returns>Its shape and values.</returns>
    /// <exception cref="UnreadableInputException">Not such a file, truncated, or beyond 512 million values.
    /// </exception>
    public static (int[] Shape, float[] Values) LoadArray(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        byte[] bytes = File.ReadAllBytes(path);
        if (bytes.Length < 10 || !bytes.AsSpan(0, 6).SequenceEqual(Magic.AsSpan(0, 6)) || bytes[6] != 1)
            throw new UnreadableInputException($"'{path}' is not a version 1.0 .npy file");
        int headerLength = BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(8));
        if (10 + headerLength > bytes.Length) throw new UnreadableInputException($"'{path}' is truncated");
        string header = Encoding.ASCII.GetString(bytes, 10, headerLength);
        Match descr = Descr().Match(header), shapeText = ShapeText().Match(header);
        bool cOrder = header.Contains("'fortran_order': False", StringComparison.Ordinal);
        if (!descr.Success || !shapeText.Success || !cOrder)
            throw new UnreadableInputException($"'{path}': not a C-order array ({PrintableText.Printable(header)})");
        if (!ElementTypes.TryGetValue(descr.Groups[1].Value, out var type))
        {
            throw new UnreadableInputException($"'{path}' holds '{descr.Groups[1].Value}' values; supported: " +
                string.Join(", ", ElementTypes.Keys));
        }
        int[] shape = [.. shapeText.Groups[1].Value.Split(',',
                StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(d => int.TryParse(d, NumberStyles.None, CultureInfo.InvariantCulture, out int n) ? n : -1)];
        long count = shape.Aggregate(1L, (product, d) => d < 0 ? -1 : Math.Min(product * d, MaxValues + 1));
        if (count < 0 || count > MaxValues)
            throw new UnreadableInputException($"'{path}': unreadable or too large shape ({shapeText.Groups[1]})");
        int offset = 10 + headerLength;
        if (bytes.Length - offset < count * type.Size)
            throw new UnreadableInputException($"'{path}' is truncated: {count} values declared");
        var values = new float[count];
        for (int i = 0; i < values.Length; i++) values[i] = type.Read(bytes.AsSpan(offset + i * type.Size, type.Size));
        return (shape, values);
    }

    private static void Write(int[] shape, float[] values, string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        string dimensions = shape.Length == 1 ? $"{shape[0]}," : string.Join(", ", shape);
        string header = string.Create(CultureInfo.InvariantCulture,
            $"{{'descr': '<f4', 'fortran_order': False, 'shape': ({dimensions}), }}");
        // The header, with its newline, pads the preamble to a multiple of 64 bytes (the format's alignment).
        int preamble = Magic.Length + 2 + header.Length + 1;
        header = header.PadRight(header.Length + (64 - preamble % 64) % 64) + "\n";
        using var stream = new FileStream(path, FileMode.Create, FileAccess.Write);
        stream.Write(Magic);
        Span<byte> length = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(length, (ushort)header.Length);
        stream.Write(length);
        stream.Write(Encoding.ASCII.GetBytes(header));
        var data = new byte[values.Length * sizeof(float)];
        for (int i = 0; i < values.Length; i++)
            BinaryPrimitives.WriteSingleLittleEndian(data.AsSpan(i * sizeof(float)), values[i]);
        stream.Write(data);
    }

    [GeneratedRegex(@"'descr':\s*'([^']*)'")]
    private static partial Regex Descr();

    [GeneratedRegex(@"'shape':\s*\(([^)]*)\)")]
    private static partial Regex ShapeText();
}
