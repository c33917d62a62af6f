using System.Buffers.Binary;
using System.IO.Compression;
using GradCamSharp.Maps;

namespace GradCamSharp.Imaging;

/// <summary>
/// NIfTI-1 volumes (<c>.nii</c>, and <c>.nii.gz</c> compressed), the format of medical imaging: read as input, and
/// written for maps with the input's header (orientation, voxel size) so that a viewer lays the map over the scan. No
/// NIfTI reader is served for .NET; the format is one 348-byte header and the voxels, x fastest.
/// </summary>
public static class NiftiFile
{
    /// <summary>The header's size, which its first field repeats (and so tells the byte order).</summary>
    private const int HeaderSize = 348;

    /// <summary>Where the voxels of a file written here begin: the header and four bytes saying "no extensions".
    /// </summary>
    private const int DataOffset = 352;

    /// <summary>The largest volume read: 512 million voxels (2 GiB as float32).</summary>
    private const long MaxVoxels = 1L << 29;

    /// <summary>NIfTI's datatype codes read, with their size in bytes.</summary>
    private static readonly Dictionary<short, int> TypeSizes = new()
    {
        [2] = 1, [4] = 2, [8] = 4, [16] = 4, [64] = 8, [256] = 1, [512] = 2, [768] = 4,
    };

    /// <summary>Whether <paramref name="path"/> names a NIfTI file (by its extension).</summary>
    public static bool Handles(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return path.EndsWith(".nii", StringComparison.OrdinalIgnoreCase)
            || path.EndsWith(".nii.gz", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>Reads a volume: 3-D, or 4-D with its fourth axis read as channels.</summary>
    /// <returns>[channels, depth (z), height (y), width (x)] voxels, scaled by the header's slope and intercept, and
    /// the header itself for <see cref="Save"/>.</returns>
    /// <exception cref="UnreadableInputException">Not a NIfTI-1 file, truncated, of an unsupported type, or beyond
    /// 512 million voxels.</exception>
    public static (int[] Shape, float[] Values, byte[] Header) Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        byte[] bytes = ReadAll(path);
        if (bytes.Length < HeaderSize) throw new UnreadableInputException($"'{path}' is too short for a NIfTI file");
        bool little = BinaryPrimitives.ReadInt32LittleEndian(bytes) == HeaderSize;
        if (!little && BinaryPrimitives.ReadInt32BigEndian(bytes) != HeaderSize)
            throw new UnreadableInputException($"'{path}' is not a NIfTI-1 file (its first field is not 348)");
        short Short(int offset) => little ? BinaryPrimitives.ReadInt16LittleEndian(bytes.AsSpan(offset))
            : BinaryPrimitives.ReadInt16BigEndian(bytes.AsSpan(offset));
        float Single(int offset) => little ? BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(offset))
            : BinaryPrimitives.ReadSingleBigEndian(bytes.AsSpan(offset));
        int rank = Short(40);
        if (rank is < 3 or > 4)
            throw new UnreadableInputException($"'{path}' has {rank} dimensions; a volume has 3 (or 4: channels)");
        int[] sizes = [.. Enumerable.Range(1, rank).Select(i => (int)Short(40 + 2 * i))];
        long count = sizes.Aggregate(1L, (product, size) => size < 1 ? -1 : Math.Min(product * size, MaxVoxels + 1));
        if (count < 1 || count > MaxVoxels)
            throw new UnreadableInputException($"'{path}': unreadable or too large size {string.Join("x", sizes)}");
        short type = Short(70);
        if (!TypeSizes.TryGetValue(type, out int size))
            throw new UnreadableInputException($"'{path}' holds NIfTI datatype {type}; supported: " +
                string.Join(", ", TypeSizes.Keys));
        float offset = Single(108);
        if (offset is not (>= HeaderSize and <= int.MaxValue) || bytes.Length - (long)offset < count * size)
            throw new UnreadableInputException($"'{path}' is truncated: {count} voxels declared");
        float slope = Single(112), intercept = Single(116);
        if (slope == 0 || !float.IsFinite(slope)) (slope, intercept) = (1, 0);
        if (!float.IsFinite(intercept)) intercept = 0;
        var values = new float[count];
        int start = (int)offset;
        for (int i = 0; i < values.Length; i++)
            values[i] = Read(bytes.AsSpan(start + i * size, size), type, little) * slope + intercept;
        int channels = rank == 4 ? sizes[3] : 1;
        return ([channels, sizes[2], sizes[1], sizes[0]], values, bytes[..HeaderSize]);
    }

    /// <summary>
    /// Writes <paramref name="map"/> as a float32 NIfTI-1 file (gzip-compressed when the path ends in .gz), its
    /// orientation and voxel size taken from <paramref name="template"/> (an input's header) where one is given.
    /// </summary>
    public static void Save(VolumeMap map, string path, byte[]? template = null)
    {
        ArgumentNullException.ThrowIfNull(map);
        ArgumentNullException.ThrowIfNull(path);
        var header = new byte[DataOffset];
        bool little = template is null || BinaryPrimitives.ReadInt32LittleEndian(template) == HeaderSize;
        if (template is { Length: HeaderSize } && little) template.CopyTo(header, 0);
        else
        {
            // Unit voxels: pixdim[1..3] = 1; qform and sform unknown (0), the scanner's axes as stored.
            for (int i = 1; i <= 3; i++) BinaryPrimitives.WriteSingleLittleEndian(header.AsSpan(76 + 4 * i), 1f);
        }
        BinaryPrimitives.WriteInt32LittleEndian(header, HeaderSize);
        short[] dims = [3, (short)map.Width, (short)map.Height, (short)map.Depth, 1, 1, 1, 1];
        for (int i = 0; i < dims.Length; i++)
            BinaryPrimitives.WriteInt16LittleEndian(header.AsSpan(40 + 2 * i), dims[i]);
        BinaryPrimitives.WriteInt16LittleEndian(header.AsSpan(70), 16);
        BinaryPrimitives.WriteInt16LittleEndian(header.AsSpan(72), 32);
        BinaryPrimitives.WriteSingleLittleEndian(header.AsSpan(108), DataOffset);
        BinaryPrimitives.WriteSingleLittleEndian(header.AsSpan(112), 1f);
        BinaryPrimitives.WriteSingleLittleEndian(header.AsSpan(116), 0f);
        BinaryPrimitives.WriteSingleLittleEndian(header.AsSpan(124), 1f);
        BinaryPrimitives.WriteSingleLittleEndian(header.AsSpan(128), 0f);
        "n+1\0"u8.CopyTo(header.AsSpan(344));
        header.AsSpan(HeaderSize, 4).Clear();
        var data = new byte[map.Values.Length * sizeof(float)];
        for (int i = 0; i < map.Values.Length; i++)
            BinaryPrimitives.WriteSingleLittleEndian(data.AsSpan(i * sizeof(float)), map.Values[i]);
        using var file = new FileStream(path, FileMode.Create, FileAccess.Write);
        using Stream stream = path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase)
            ? new GZipStream(file, CompressionLevel.Optimal) : file;
        stream.Write(header);
        stream.Write(data);
    }

    /// <summary>
    /// The file's bytes; of a .gz, only as many as its header says the volume needs (a small file may claim to
    /// inflate to anything: what the header does not account for is never inflated).
    /// </summary>
    private static byte[] ReadAll(string path)
    {
        if (!path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase)) return File.ReadAllBytes(path);
        try
        {
            using var gzip = new GZipStream(File.OpenRead(path), CompressionMode.Decompress);
            var header = new byte[HeaderSize];
            int read = gzip.ReadAtLeast(header, HeaderSize, throwOnEndOfStream: false);
            if (read < HeaderSize) return header[..read];
            long needed = Needed(header);
            if (needed <= HeaderSize) return header;
            var bytes = new byte[needed];
            header.CopyTo(bytes, 0);
            int rest = gzip.ReadAtLeast(bytes.AsSpan(HeaderSize), (int)(needed - HeaderSize),
                throwOnEndOfStream: false);
            return bytes[..(HeaderSize + rest)];
        }
        catch (InvalidDataException exception)
        {
            throw new UnreadableInputException($"'{path}' is not gzip-compressed: {exception.Message}", exception);
        }
    }

    /// <summary>The bytes a header says its file holds (offset and voxels), or 0 where it says nothing readable.
    /// </summary>
    private static long Needed(byte[] header)
    {
        bool little = BinaryPrimitives.ReadInt32LittleEndian(header) == HeaderSize;
        if (!little && BinaryPrimitives.ReadInt32BigEndian(header) != HeaderSize) return 0;
        short Short(int offset) => little ? BinaryPrimitives.ReadInt16LittleEndian(header.AsSpan(offset))
            : BinaryPrimitives.ReadInt16BigEndian(header.AsSpan(offset));
        float offset = little ? BinaryPrimitives.ReadSingleLittleEndian(header.AsSpan(108))
            : BinaryPrimitives.ReadSingleBigEndian(header.AsSpan(108));
        int rank = Short(40);
        if (rank is < 3 or > 4 || !TypeSizes.TryGetValue(Short(70), out int size)) return 0;
        long count = Enumerable.Range(1, rank).Aggregate(1L, (product, i) =>
            Short(40 + 2 * i) < 1 ? -1 : Math.Min(product * Short(40 + 2 * i), MaxVoxels + 1));
        if (count < 1 || count > MaxVoxels || offset is not (>= HeaderSize and <= 1 << 20)) return 0;
        return Math.Min((long)offset + count * size, Array.MaxLength);
    }

    private static float Read(ReadOnlySpan<byte> bytes, short type, bool little) => type switch
    {
        2 => bytes[0],
        256 => (sbyte)bytes[0],
        4 => little ? BinaryPrimitives.ReadInt16LittleEndian(bytes) : BinaryPrimitives.ReadInt16BigEndian(bytes),
        512 => little ? BinaryPrimitives.ReadUInt16LittleEndian(bytes) : BinaryPrimitives.ReadUInt16BigEndian(bytes),
        8 => little ? BinaryPrimitives.ReadInt32LittleEndian(bytes) : BinaryPrimitives.ReadInt32BigEndian(bytes),
        768 => little ? BinaryPrimitives.ReadUInt32LittleEndian(bytes) : BinaryPrimitives.ReadUInt32BigEndian(bytes),
        16 => little ? BinaryPrimitives.ReadSingleLittleEndian(bytes) : BinaryPrimitives.ReadSingleBigEndian(bytes),
        _ => (float)(little ? BinaryPrimitives.ReadDoubleLittleEndian(bytes)
            : BinaryPrimitives.ReadDoubleBigEndian(bytes)),
    };
}
