using System.Buffers.Binary;
using System.IO.Compression;

namespace GradCamSharp.TestSupport;

/// <summary>Images that attack a decoder: what a careless or hostile user hands the command or the web demo.</summary>
public static class HostileImages
{
    /// <summary>
    /// A decompression bomb: a valid grey PNG of <paramref name="width"/> x <paramref name="height"/> pixels whose
    /// all-black rows compress to a few bytes each (a 20000x20000 one is about 20 KB of file for 400 MB of pixels).
    /// </summary>
    public static byte[] PngBomb(int width, int height)
    {
        using var compressed = new MemoryStream();
        using (var zlib = new ZLibStream(compressed, CompressionLevel.SmallestSize, leaveOpen: true))
        {
            var row = new byte[width + 1];   // filter byte 0, then black pixels
            for (int y = 0; y < height; y++) zlib.Write(row);
        }
        var header = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, width);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), height);
        header[8] = 8;   // bit depth; colour type 0 (grey), default compression, filter and no interlace follow
        using var png = new MemoryStream();
        png.Write([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]);
        WriteChunk(png, "IHDR", header);
        WriteChunk(png, "IDAT", compressed.ToArray());
        WriteChunk(png, "IEND", []);
        return png.ToArray();
    }

    /// <summary>The first <paramref name="fraction"/> of a file, as a broken download leaves it.</summary>
    public static byte[] Truncated(byte[] encoded, double fraction = 0.5) =>
        encoded[..(int)(encoded.Length * fraction)];

    private static void WriteChunk(Stream stream, string type, byte[] data)
    {
        var length = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(length, data.Length);
        stream.Write(length);
        byte[] typeAndData = [.. type.Select(c => (byte)c), .. data];
        stream.Write(typeAndData);
        var crc = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(crc, Crc32(typeAndData));
        stream.Write(crc);
    }

    /// <summary>PNG's CRC-32 (ISO 3309), bit by bit: these files are small.</summary>
    private static uint Crc32(byte[] bytes)
    {
        uint crc = 0xFFFFFFFF;
        foreach (byte b in bytes)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++) crc = (crc & 1) != 0 ? 0xEDB88320 ^ (crc >> 1) : crc >> 1;
        }
        return ~crc;
    }

    /// <summary>
    /// <paramref name="jpeg"/> (baseline) with its frame header claiming <paramref name="width"/> x
    /// <paramref name="height"/> pixels over the same compressed data: a file libjpeg decodes "successfully" as grey.
    /// </summary>
    public static byte[] LyingJpegHeader(byte[] jpeg, int width, int height)
    {
        byte[] lying = [.. jpeg];
        int position = 2;
        while (position + 9 < lying.Length)
        {
            byte marker = lying[position + 1];
            int length = (lying[position + 2] << 8) | lying[position + 3];
            if (marker is 0xC0 or 0xC1)
            {
                lying[position + 5] = (byte)(height >> 8);
                lying[position + 6] = (byte)height;
                lying[position + 7] = (byte)(width >> 8);
                lying[position + 8] = (byte)width;
                return lying;
            }
            position += 2 + length;
        }
        throw new ArgumentException("not a sequential JPEG", nameof(jpeg));
    }
}
