using SkiaSharp;

namespace GradCamSharp.Imaging;

/// <summary>Turns photos into model inputs according to a <see cref="Preprocessing"/>.</summary>
public static class ImagePreprocessor
{
    /// <summary>Resizes, reorders and normalises <paramref name="image"/>.</summary>
    /// <exception cref="ObjectDisposedException"><paramref name="image"/> was disposed.</exception>
    /// <example>
    /// <code>
    /// using SKBitmap photo = ImageLoader.Load("dog.jpg");
    /// PreparedImage prepared = ImagePreprocessor.Prepare(photo, KnownPreprocessing.ImageNet);
    /// Tensor input = prepared.ToTensor();   // [1, 3, 224, 224]; prepared.ToOriginal maps a map back
    /// </code>
    /// </example>
    public static PreparedImage Prepare(SKBitmap image, Preprocessing preprocessing)
    {
        Bitmaps.ThrowIfUnusable(image, nameof(image));
        ArgumentNullException.ThrowIfNull(preprocessing);
        preprocessing.Validate();
        (int contentWidth, int contentHeight) = preprocessing.ResizeMode switch
        {
            ResizeMode.FitHeightPadRight => (
                Math.Clamp((int)Math.Ceiling(preprocessing.Height * (double)image.Width / image.Height), 1,
                    preprocessing.Width),
                preprocessing.Height),
            _ => (preprocessing.Width, preprocessing.Height),
        };
        using SKBitmap resized = Resize(image, contentWidth, contentHeight);

        int width = preprocessing.Width, height = preprocessing.Height, plane = width * height;
        var values = new float[3 * plane];
        int[] sourceChannel = preprocessing.ChannelOrder == ChannelOrder.Rgb ? [0, 1, 2] : [2, 1, 0];
        ReadOnlySpan<byte> pixels = resized.GetPixelSpan();
        int rowBytes = resized.RowBytes;
        for (int c = 0; c < 3; c++)
        {
            float scale = preprocessing.Scale / preprocessing.Std[c];
            float shift = preprocessing.Mean[c] / preprocessing.Std[c];
            Span<float> channel = values.AsSpan(c * plane, plane);
            for (int y = 0; y < height; y++)
            {
                for (int x = 0; x < width; x++)
                {
                    // Padding is zero in the normalised input, as PaddleOCR pads after normalising.
                    channel[y * width + x] = x < contentWidth && y < contentHeight
                        ? pixels[y * rowBytes + x * 4 + sourceChannel[c]] * scale - shift
                        : 0f;
                }
            }
        }
        return new PreparedImage(values, preprocessing, image.Width, image.Height, contentWidth, contentHeight);
    }

    /// <summary>Bilinear resampling, with mipmaps when shrinking so that downscaled photos do not alias.</summary>
    public static SKBitmap Resize(SKBitmap image, int width, int height)
    {
        ArgumentNullException.ThrowIfNull(image);
        var info = new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        bool shrinking = width < image.Width || height < image.Height;
        var sampling = new SKSamplingOptions(SKFilterMode.Linear, shrinking ? SKMipmapMode.Linear : SKMipmapMode.None);
        return image.Resize(info, sampling) ?? throw new InvalidOperationException("cannot resize a " +
            $"{image.Width}x{image.Height} image to {width}x{height}");
    }
}
