namespace GradCamSharp.Imaging;

/// <summary>
/// Tells a sequential JPEG whose compressed data cannot hold the image its header declares (a 6000x6000 header over
/// the data of a 576x768 photo). libjpeg decodes such a file "successfully": where the data ends early at a marker
/// it warns and fills the remaining blocks with zeros, a flat grey that the codec reports as a whole image. Each block
/// (8x8) of a Huffman-coded scan takes at least two bits (a DC difference code and an end-of-block or AC code, each at
/// least one bit long), so a scan shorter than two bits a block ends before the image does: a certain refusal, never a
/// guess about pixels.
/// </summary>
internal static class JpegScanLength
{
    /// <summary>
    /// Whether <paramref name="jpeg"/> is a baseline or extended sequential JPEG (Huffman coding) whose scans hold
    /// fewer than two bits per block of the image its frame header declares. Progressive, arithmetic-coded and
    /// unparsable files return false: the decoder's own checks stand for them.
    /// </summary>
    public static bool IsCutShort(ReadOnlySpan<byte> jpeg)
    {
        if (jpeg.Length < 4 || jpeg[0] != 0xFF || jpeg[1] != 0xD8) return false;
        long blocks = 0, scanBytes = 0;
        int position = 2;
        while (position + 4 <= jpeg.Length)
        {
            if (jpeg[position] != 0xFF) return false;
            byte marker = jpeg[position + 1];
            if (marker == 0xFF)
            {
                position++;            // fill bytes before a marker
                continue;
            }
            if (marker == 0xD9) break;  // end of image
            if (marker is 0x01 or >= 0xD0 and <= 0xD7)
            {
                position += 2;         // markers without a length
                continue;
            }
            int length = (jpeg[position + 2] << 8) | jpeg[position + 3];
            if (length < 2 || position + 2 + length > jpeg.Length) return false;
            ReadOnlySpan<byte> segment = jpeg.Slice(position + 4, length - 2);
            switch (marker)
            {
                case 0xC0 or 0xC1:
                    blocks = Blocks(segment);
                    if (blocks <= 0) return false;
                    break;
                case >= 0xC2 and <= 0xCF and not 0xC4 and not 0xC8 and not 0xCC:
                    return false;      // progressive, lossless or arithmetic-coded: not this bound's to judge
                case 0xDA:
                    position += 2 + length;
                    int end = EntropyEnd(jpeg, position, out long bytes);
                    scanBytes += bytes;
                    position = end;
                    continue;
            }
            position += 2 + length;
        }
        return blocks > 0 && scanBytes * 8 < 2 * blocks;
    }

    /// <summary>The 8x8 blocks of every component that a frame header (SOF0/SOF1 payload) declares.</summary>
    private static long Blocks(ReadOnlySpan<byte> frame)
    {
        if (frame.Length < 6) return 0;
        int height = (frame[1] << 8) | frame[2], width = (frame[3] << 8) | frame[4], components = frame[5];
        if (height == 0 || width == 0 || frame.Length < 6 + 3 * components) return 0;
        int maxH = 1, maxV = 1;
        for (int c = 0; c < components; c++)
        {
            maxH = Math.Max(maxH, frame[7 + 3 * c] >> 4);
            maxV = Math.Max(maxV, frame[7 + 3 * c] & 15);
        }
        long blocks = 0;
        for (int c = 0; c < components; c++)
        {
            int h = Math.Max(1, frame[7 + 3 * c] >> 4), v = Math.Max(1, frame[7 + 3 * c] & 15);
            long columns = ((long)width * h + maxH - 1) / maxH, rows = ((long)height * v + maxV - 1) / maxV;
            blocks += (columns + 7) / 8 * ((rows + 7) / 8);
        }
        return blocks;
    }

    /// <summary>
    /// Where the entropy-coded data starting at <paramref name="start"/> ends (the next marker that is not a
    /// restart), and how many bytes of coded data it holds (a stuffed 0xFF 0x00 counts once).
    /// </summary>
    private static int EntropyEnd(ReadOnlySpan<byte> jpeg, int start, out long bytes)
    {
        bytes = 0;
        int position = start;
        while (position < jpeg.Length)
        {
            if (jpeg[position] != 0xFF)
            {
                bytes++;
                position++;
                continue;
            }
            if (position + 1 >= jpeg.Length) break;
            byte next = jpeg[position + 1];
            if (next == 0x00)
            {
                bytes++;
                position += 2;
            }
            else if (next is >= 0xD0 and <= 0xD7 or 0xFF)
            {
                position += next == 0xFF ? 1 : 2;
            }
            else
            {
                break;
            }
        }
        return position;
    }
}
