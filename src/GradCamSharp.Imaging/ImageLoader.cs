using SkiaSharp;

namespace GradCamSharp.Imaging;

/// <summary>Loads JPEG, PNG, WebP, BMP and GIF files as upright RGBA bitmaps (EXIF orientation applied).</summary>
public static class ImageLoader
{
    /// <summary>Decodes <paramref name="path"/>.</summary>
    /// <exception cref="ImageLoadException">The file is missing, unreadable, or not a decodable image.</exception>
    public static SKBitmap Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path)) throw new ImageLoadException($"image '{path}' not found");
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            throw new ImageLoadException($"image '{path}' cannot be read: {exception.Message}", exception);
        }
        return Decode(bytes, path);
    }

    /// <summary>
    /// Checks that <paramref name="path"/> exists and starts like a decodable image, without decoding its pixels.
    /// </summary>
    /// <exception cref="ImageLoadException">Missing, unreadable, or not an image.</exception>
    public static void Probe(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path)) throw new ImageLoadException($"image '{path}' not found");
        try
        {
            using FileStream stream = File.OpenRead(path);
            using SKCodec? codec = SKCodec.Create(stream);
            if (codec is null)
                throw new ImageLoadException($"'{path}' is not a supported image (JPEG, PNG, WebP, BMP or GIF)");
        }
        catch (Exception exception)
            when (exception is IOException and not ImageLoadException or UnauthorizedAccessException)
        {
            throw new ImageLoadException($"image '{path}' cannot be read: {exception.Message}", exception);
        }
    }

    /// <summary>
    /// Decodes an encoded image held in memory (e.g. an upload); <paramref name="name"/> is used in messages.
    /// </summary>
    /// <exception cref="ImageLoadException">Not a decodable image.</exception>
    public static SKBitmap Decode(byte[] encoded, string name = "image")
    {
        ArgumentNullException.ThrowIfNull(encoded);
        using var data = SKData.CreateCopy(encoded);
        using SKCodec? codec = SKCodec.Create(data);
        if (codec is null)
            throw new ImageLoadException($"'{name}' is not a supported image (JPEG, PNG, WebP, BMP or GIF)");
        var info = new SKImageInfo(codec.Info.Width, codec.Info.Height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        var decoded = new SKBitmap(info);
        SKCodecResult result = codec.GetPixels(info, decoded.GetPixels());
        if (result is not (SKCodecResult.Success or SKCodecResult.IncompleteInput))
        {
            decoded.Dispose();
            throw new ImageLoadException($"'{name}' is corrupt: {result}");
        }
        return Orient(decoded, codec.EncodedOrigin);
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
