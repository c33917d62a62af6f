namespace GradCamSharp.Imaging;

/// <summary>
/// Limits and choices for decoding an untrusted image: how many pixels it may declare, how large it is decoded, and
/// whether a truncated file is accepted. The defaults protect a command-line run and a web server alike.
/// </summary>
public sealed record ImageDecodeOptions
{
    /// <summary>The default pixel limit: 40 megapixels (a 7300x5500 photo), 160 MB once decoded.</summary>
    public const long DefaultMaxPixels = 40_000_000;

    /// <summary>The default long side of a decoded photo: enough for every output, far below most cameras.</summary>
    public const int DefaultMaxSide = 2048;

    /// <summary>The defaults.</summary>
    public static ImageDecodeOptions Default { get; } = new();

    /// <summary>
    /// Images whose decoding takes more pixels than this are refused, from the header, before any pixel is decoded:
    /// a 48 KB PNG can declare 20000x20000 pixels, 1.6 GB once decoded. What counts is the size decoded: the full
    /// size, or for JPEG and WebP the reduced size they decode to directly when the photo is larger than
    /// <see cref="MaxSide"/>.
    /// </summary>
    public long MaxPixels { get; init; } = DefaultMaxPixels;

    /// <summary>
    /// Larger photos are decoded downscaled so that their long side is at most this (JPEG and WebP decode directly at
    /// a reduced scale); every map, overlay and coordinate is then in the pixels of the downscaled photo.
    /// </summary>
    public int MaxSide { get; init; } = DefaultMaxSide;

    /// <summary>
    /// Accept a file that ends before its image does (the missing rows are left black); by default such a file is
    /// refused as unreadable.
    /// </summary>
    public bool AllowPartial { get; init; }

    /// <summary>Checks the values themselves.</summary>
    /// <exception cref="UsageException">A limit that is not positive.</exception>
    public ImageDecodeOptions Validated()
    {
        if (MaxPixels < 1) throw new UsageException($"the pixel limit must be positive, got {MaxPixels}");
        if (MaxSide < 16) throw new UsageException($"the output size must be at least 16 pixels, got {MaxSide}");
        return this;
    }
}
