using SkiaSharp;

namespace GradCamSharp.Imaging;

/// <summary>
/// Loads JPEG, PNG, WebP, BMP and GIF files as upright RGBA bitmaps (EXIF orientation applied), within the limits of
/// <see cref="ImageDecodeOptions"/>: the pixel count is checked from the header before anything is decoded, large
/// photos are decoded downscaled, and truncated files are refused unless allowed.
/// </summary>
public static class ImageLoader
{
    private static readonly string[] ImageExtensions = [".jpg", ".jpeg", ".png", ".webp", ".bmp"];

    /// <summary>
    /// Whether <paramref name="path"/> is named as a photo (.jpg, .jpeg, .png, .webp, .bmp), any case.
    /// </summary>
    public static bool IsImageFile(string path) =>
        ImageExtensions.Contains(Path.GetExtension(path), StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// Whether <paramref name="path"/> begins as a JPEG, PNG, GIF, BMP or WebP file does, whatever its name: how a
    /// folder's photos are told from its other files. False for a file that cannot be read or is not an ordinary file
    /// (a FIFO, a socket, a device).
    /// </summary>
    public static bool HasImageSignature(string path)
    {
        // Not File.OpenRead: a FIFO among the photos would block the listing until something wrote to it.
        ReadOnlySpan<byte> head = UntrustedFile.ReadHead(path, 12);
        return head.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xD8, 0xFF])
            || head.StartsWith((ReadOnlySpan<byte>)[0x89, (byte)'P', (byte)'N', (byte)'G'])
            || head.StartsWith("GIF8"u8)
            || (head.Length >= 10 && head.StartsWith("BM"u8) && head[6..10].IndexOfAnyExcept((byte)0) < 0)
            || (head.Length == 12 && head.StartsWith("RIFF"u8) && head[8..].SequenceEqual("WEBP"u8));
    }

    /// <summary>Decodes <paramref name="path"/>.</summary>
    /// <param name="path">The image file.</param>
    /// <param name="options">Limits; <see cref="ImageDecodeOptions.Default"/> when null.</param>
    /// <exception cref="ImageLoadException">The file is missing, unreadable, not a decodable image, over the pixel
    /// limit, or truncated.</exception>
    public static SKBitmap Load(string path, ImageDecodeOptions? options = null)
    {
        byte[] bytes = ReadAll(path);
        return Decode(bytes, path, options);
    }

    /// <summary>
    /// Checks that <paramref name="path"/> exists and is a decodable image within the pixel limit, from its header
    /// alone, without decoding its pixels.
    /// </summary>
    /// <returns>The width and height the header declares (before EXIF orientation).</returns>
    /// <exception cref="ImageLoadException">Missing, unreadable, not an image, or over the pixel limit.</exception>
    public static (int Width, int Height) Probe(string path, ImageDecodeOptions? options = null)
    {
        CheckFile(path);
        try
        {
            using FileStream stream = File.OpenRead(path);
            using SKCodec codec = OpenCodec(SKCodec.Create(stream), path);
            CheckPixelCount(codec, path, options ?? ImageDecodeOptions.Default);
            return (codec.Info.Width, codec.Info.Height);
        }
        catch (Exception exception)
            when (exception is IOException and not ImageLoadException or UnauthorizedAccessException)
        {
            throw new ImageLoadException($"image '{path}' cannot be read: {exception.Message}", exception);
        }
    }

    /// <summary>The most bytes <see cref="Load(Stream, string, ImageDecodeOptions?)"/> reads from a stream.</summary>
    public const long MostStreamBytes = 256L << 20;

    /// <summary>
    /// Decodes the image <paramref name="stream"/> holds from its position to its end (an upload, a blob, an archive
    /// entry), reading at most <see cref="MostStreamBytes"/>; the stream is left open.
    /// </summary>
    /// <param name="stream">The encoded image.</param>
    /// <param name="name">What to call it in messages.</param>
    /// <param name="options">Limits; <see cref="ImageDecodeOptions.Default"/> when null.</param>
    /// <exception cref="ImageLoadException">Longer than the limit, unreadable, not a decodable image, over the pixel
    /// limit, or truncated.</exception>
    /// <example>
    /// <code>
    /// using Stream upload = request.Body;
    /// using SKBitmap photo = ImageLoader.Load(upload, "upload.jpg");
    /// </code>
    /// </example>
    public static SKBitmap Load(Stream stream, string name = "image", ImageDecodeOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        return Decode(ReadBounded(stream, name), name, options);
    }

    /// <summary>
    /// <see cref="Load(string, ImageDecodeOptions?)"/> with the file read asynchronously (decoding is CPU work and
    /// runs on the caller's task).
    /// </summary>
    /// <exception cref="ImageLoadException">As the synchronous load.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public static async Task<SKBitmap> LoadAsync(string path, ImageDecodeOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        CheckFile(path);
        byte[] bytes;
        try
        {
            bytes = await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            throw new ImageLoadException($"image '{path}' cannot be read: {exception.Message}", exception);
        }
        return Decode(bytes, path, options);
    }

    private static byte[] ReadBounded(Stream stream, string name)
    {
        try
        {
            return UntrustedFile.ReadStream(stream, "image", MostStreamBytes);
        }
        catch (UnreadableInputException exception)
        {
            throw new ImageLoadException($"'{name}': {exception.Message}", exception);
        }
    }

    /// <summary>
    /// Decodes an encoded image held in memory (e.g. an upload); <paramref name="name"/> is used in messages.
    /// </summary>
    /// <exception cref="ImageLoadException">Not a decodable image, over the pixel limit, or truncated.</exception>
    public static SKBitmap Decode(byte[] encoded, string name = "image", ImageDecodeOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(encoded);
        options ??= ImageDecodeOptions.Default;
        using var data = SKData.CreateCopy(encoded);
        using SKCodec codec = OpenCodec(SKCodec.Create(data), name);
        CheckPixelCount(codec, name, options);
        SKSizeI size = DecodeSize(codec, options.MaxSide);
        var info = new SKImageInfo(size.Width, size.Height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        var decoded = new SKBitmap(info);
        SKCodecResult result = codec.GetPixels(info, decoded.GetPixels());
        // libjpeg calls a scan that ends early at a marker a success and fills the rest grey: refuse it as truncated.
        if (result == SKCodecResult.Success && codec.EncodedFormat == SKEncodedImageFormat.Jpeg
            && JpegScanLength.IsCutShort(encoded))
            result = SKCodecResult.IncompleteInput;
        if (result is not (SKCodecResult.Success or SKCodecResult.IncompleteInput)
            || result is SKCodecResult.IncompleteInput && !options.AllowPartial)
        {
            decoded.Dispose();
            if (result is SKCodecResult.IncompleteInput)
            {
                throw new ImageLoadException($"'{name}' is truncated: the file ends before the image does", null,
                    ImageLoadFailure.Truncated);
            }
            throw new ImageLoadException($"'{name}' is corrupt: {result}");
        }
        return Orient(FitWithin(decoded, options.MaxSide), codec.EncodedOrigin);
    }

    private static void CheckFile(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (Directory.Exists(path)) throw new ImageLoadException($"'{path}' is a folder, not an image");
        if (!File.Exists(path)) throw new ImageLoadException($"image '{path}' not found");
        // A FIFO named as a photo (in a list of a dataset, say) would block the run until something wrote to it.
        if (UntrustedFile.ReadHead(path, 1).Length == 0)
        {
            throw new ImageLoadException($"image '{path}' is empty or not an ordinary file (a FIFO, a socket or a " +
                "device is not read)");
        }
    }

    private static byte[] ReadAll(string path)
    {
        CheckFile(path);
        try
        {
            return File.ReadAllBytes(path);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            throw new ImageLoadException($"image '{path}' cannot be read: {exception.Message}", exception);
        }
    }

    private static SKCodec OpenCodec(SKCodec? codec, string name) => codec
        ?? throw new ImageLoadException($"'{name}' is not a supported image (JPEG, PNG, WebP, BMP or GIF)");

    /// <summary>
    /// Refuses an image whose decoding would take more than the pixel limit: its full size, or for JPEG and WebP the
    /// reduced size they decode to directly (an 8000x6000 JPEG is decoded at 3000x2250 for a 2048-pixel output).
    /// </summary>
    private static void CheckPixelCount(SKCodec codec, string name, ImageDecodeOptions options)
    {
        int width = codec.Info.Width, height = codec.Info.Height;
        if (width <= 0 || height <= 0)
            throw new ImageLoadException($"'{name}' declares an empty image ({width}x{height})");
        SKSizeI decoded = DecodeSize(codec, options.MaxSide);
        long pixels = (long)decoded.Width * decoded.Height;
        if (pixels <= options.MaxPixels) return;
        string scaled = decoded == codec.Info.Size ? "" : $", {decoded.Width}x{decoded.Height} when decoded";
        throw new ImageLoadException($"'{name}' is {width}x{height} pixels ({(long)width * height / 1e6:0.#} " +
            $"megapixels{scaled}), over the limit of {options.MaxPixels / 1e6:0.#} megapixels", null,
            ImageLoadFailure.OverPixelLimit);
    }

    /// <summary>
    /// The smallest size the codec decodes to directly (JPEG and WebP scale during decoding, saving the memory of
    /// the full image) whose long side still reaches <paramref name="maxSide"/>; the full size otherwise.
    /// </summary>
    private static SKSizeI DecodeSize(SKCodec codec, int maxSide)
    {
        SKSizeI full = codec.Info.Size;
        int longSide = Math.Max(full.Width, full.Height);
        if (longSide <= maxSide) return full;
        // JPEG decodes at k/8 of its size; ask for each scale from the smallest and keep the first large enough.
        for (int eighths = 1; eighths < 8; eighths++)
        {
            SKSizeI scaled = codec.GetScaledDimensions(eighths / 8f);
            if (Math.Max(scaled.Width, scaled.Height) >= maxSide && scaled.Width < full.Width) return scaled;
        }
        return full;
    }

    /// <summary>
    /// Resizes <paramref name="bitmap"/> so that its long side is at most <paramref name="maxSide"/>.
    /// </summary>
    private static SKBitmap FitWithin(SKBitmap bitmap, int maxSide)
    {
        int longSide = Math.Max(bitmap.Width, bitmap.Height);
        if (longSide <= maxSide) return bitmap;
        double scale = (double)maxSide / longSide;
        // Immutable pixels are wrapped, not copied, by the image that sampling builds its mipmaps from: decoding a
        // 6300x6300 PNG then takes its own 160 MB once, not twice.
        bitmap.SetImmutable();
        SKBitmap resized = ImagePreprocessor.Resize(bitmap, Math.Max(1, (int)Math.Round(bitmap.Width * scale)),
            Math.Max(1, (int)Math.Round(bitmap.Height * scale)));
        bitmap.Dispose();
        return resized;
    }

    /// <summary>Applies an EXIF orientation, so that pixels are stored the way the photo is meant to be seen.</summary>
    internal static SKBitmap Orient(SKBitmap bitmap, SKEncodedOrigin origin)
    {
        if (origin is SKEncodedOrigin.TopLeft or SKEncodedOrigin.Default) return bitmap;
        bool swapsAxes = origin is SKEncodedOrigin.LeftTop or SKEncodedOrigin.RightTop
            or SKEncodedOrigin.RightBottom or SKEncodedOrigin.LeftBottom;
        int width = swapsAxes ? bitmap.Height : bitmap.Width;
        int height = swapsAxes ? bitmap.Width : bitmap.Height;
        var oriented = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Unpremul));
        using (var canvas = new SKCanvas(oriented))
        {
            canvas.SetMatrix(OrientationMatrix(origin, bitmap.Width, bitmap.Height));
            canvas.DrawBitmap(bitmap, 0, 0);
        }
        bitmap.Dispose();
        return oriented;
    }

    private static SKMatrix OrientationMatrix(SKEncodedOrigin origin, int width, int height) => origin switch
    {
        SKEncodedOrigin.TopRight => new SKMatrix(-1, 0, width, 0, 1, 0, 0, 0, 1),
        SKEncodedOrigin.BottomRight => new SKMatrix(-1, 0, width, 0, -1, height, 0, 0, 1),
        SKEncodedOrigin.BottomLeft => new SKMatrix(1, 0, 0, 0, -1, height, 0, 0, 1),
        SKEncodedOrigin.LeftTop => new SKMatrix(0, 1, 0, 1, 0, 0, 0, 0, 1),
        SKEncodedOrigin.RightTop => new SKMatrix(0, -1, height, 1, 0, 0, 0, 0, 1),
        SKEncodedOrigin.RightBottom => new SKMatrix(0, -1, height, -1, 0, width, 0, 0, 1),
        SKEncodedOrigin.LeftBottom => new SKMatrix(0, 1, 0, -1, 0, width, 0, 0, 1),
        _ => SKMatrix.Identity,
    };
}
