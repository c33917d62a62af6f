using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using GradCamSharp.Maps;

namespace GradCamSharp.Imaging;

/// <summary>
/// NumPy's .npy format, version 1.0 (little-endian float32, C order), for maps that users analyse elsewhere:
/// <c>numpy.load("dog_dog_gradcam.npy")</c> gives a [height, width] array.
/// </summary>
public static class NpyFile
{
    private static readonly byte[] Magic = [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0];

    /// <summary>Writes <paramref name="map"/> as a [height, width] float32 array.</summary>
    public static void Save(Heatmap map, string path)
    {
        ArgumentNullException.ThrowIfNull(map);
        ArgumentNullException.ThrowIfNull(path);
        string header = string.Create(CultureInfo.InvariantCulture,
            $"{{'descr': '<f4', 'fortran_order': False, 'shape': ({map.Height}, {map.Width}), }}");
        // The header, with its newline, pads the preamble to a multiple of 64 bytes (the format's alignment).
        int preamble = Magic.Length + 2 + header.Length + 1;
        header = header.PadRight(header.Length + (64 - preamble % 64) % 64) + "\n";
        using var stream = new FileStream(path, FileMode.Create, FileAccess.Write);
        stream.Write(Magic);
        Span<byte> length = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(length, (ushort)header.Length);
        stream.Write(length);
        stream.Write(Encoding.ASCII.GetBytes(header));
        var data = new byte[map.Values.Length * sizeof(float)];
        for (int i = 0; i < map.Values.Length; i++)
            BinaryPrimitives.WriteSingleLittleEndian(data.AsSpan(i * sizeof(float)), map.Values[i]);
        stream.Write(data);
    }

    /// <summary>Reads a 2-D float32 array written by <see cref="Save"/>.</summary>
    /// <exception cref="UnreadableInputException">Not such a file.</exception>
    public static Heatmap Load(string path)
    {
        byte[] bytes = File.ReadAllBytes(path);
        if (bytes.Length < 10 || !bytes.AsSpan(0, 8).SequenceEqual(Magic))
            throw new UnreadableInputException($"'{path}' is not a version 1.0 .npy file");
        int headerLength = BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(8));
        string header = Encoding.ASCII.GetString(bytes, 10, headerLength);
        if (!header.Contains("'descr': '<f4'", StringComparison.Ordinal)
            || !header.Contains("'fortran_order': False", StringComparison.Ordinal))
            throw new UnreadableInputException($"'{path}' is not a C-order float32 array");
        string shape = header[(header.IndexOf('(', StringComparison.Ordinal) + 1)..header.IndexOf(')',
            StringComparison.Ordinal)];
        int[] dims = shape.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(d => int.Parse(d, CultureInfo.InvariantCulture)).ToArray();
        if (dims.Length != 2) throw new UnreadableInputException($"'{path}' is not a 2-D array");
        int offset = 10 + headerLength;
        var values = new float[dims[0] * dims[1]];
        for (int i = 0; i < values.Length; i++)
            values[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(offset + i * sizeof(float)));
        return new Heatmap(dims[1], dims[0], values);
    }
}
