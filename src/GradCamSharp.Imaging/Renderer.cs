using GradCamSharp.Maps;
using SkiaSharp;

namespace GradCamSharp.Imaging;

/// <summary>Draws explanations: heatmaps, overlays on the photo, guided-backprop images.</summary>
public static class Renderer
{
    /// <summary>A heatmap in colour, one pixel per value.</summary>
    public static SKBitmap Colorize(Heatmap map, IColormap colormap)
    {
        ArgumentNullException.ThrowIfNull(map);
        ArgumentNullException.ThrowIfNull(colormap);
        var bitmap = new SKBitmap(new SKImageInfo(map.Width, map.Height, SKColorType.Rgba8888, SKAlphaType.Unpremul));
        Span<byte> pixels = bitmap.GetPixelSpan();
        for (int i = 0; i < map.Values.Length; i++)
        {
            SKColor color = colormap.Map(map.Values[i]);
            pixels[i * 4] = color.Red;
            pixels[i * 4 + 1] = color.Green;
            pixels[i * 4 + 2] = color.Blue;
            pixels[i * 4 + 3] = 255;
        }
        return bitmap;
    }

    /// <summary>
    /// The photo blended with a coloured heatmap of the same size: <c>imageWeight * photo + (1 - imageWeight) *
    /// colour</c> (pytorch-grad-cam's show_cam_on_image).
    /// </summary>
    /// <exception cref="ObjectDisposedException"><paramref name="photo"/> was disposed.</exception>
    public static SKBitmap Overlay(SKBitmap photo, Heatmap map, IColormap colormap, float imageWeight = 0.5f)
    {
        Bitmaps.ThrowIfUnusable(photo, nameof(photo));
        ArgumentNullException.ThrowIfNull(map);
        if (map.Width != photo.Width || map.Height != photo.Height)
            throw new ArgumentException($"the map is {map.Width}x{map.Height} but the photo " +
                $"{photo.Width}x{photo.Height}");
        ArgumentOutOfRangeException.ThrowIfLessThan(imageWeight, 0f);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(imageWeight, 1f);
        SKBitmap result = Colorize(map, colormap);
        Span<byte> target = result.GetPixelSpan();
        ReadOnlySpan<byte> source = AsRgba(photo, out SKBitmap? converted).GetPixelSpan();
        for (int i = 0; i < target.Length; i += 4)
        {
            for (int c = 0; c < 3; c++)
                target[i + c] = (byte)MathF.Round(imageWeight * source[i + c] + (1 - imageWeight) * target[i + c]);
        }
        converted?.Dispose();
        return result;
    }

    /// <summary>
    /// <paramref name="explanation"/>'s map over the photo it was prepared from, in one call: the map placed back on
    /// the photo's pixels (<see cref="PreparedImage.ToOriginal(Heatmap)"/>) and blended with it (jet unless
    /// <paramref name="colormap"/> says otherwise).
    /// </summary>
    /// <exception cref="ObjectDisposedException"><paramref name="photo"/> was disposed.</exception>
    /// <example><code>using SKBitmap overlay = Renderer.Overlay(photo, prepared, gradCam.Explain(input)[0]);</code>
    /// </example>
    public static SKBitmap Overlay(SKBitmap photo, PreparedImage prepared, Explanation explanation,
        IColormap? colormap = null, float imageWeight = 0.5f)
    {
        Bitmaps.ThrowIfUnusable(photo, nameof(photo));
        ArgumentNullException.ThrowIfNull(prepared);
        ArgumentNullException.ThrowIfNull(explanation);
        if (prepared.OriginalWidth != photo.Width || prepared.OriginalHeight != photo.Height)
        {
            throw new ArgumentException($"the explanation was prepared from a {prepared.OriginalWidth}x" +
                $"{prepared.OriginalHeight} picture but the photo is {photo.Width}x{photo.Height}");
        }
        return Overlay(photo, prepared.ToOriginal(explanation.Heatmap), colormap ?? KnownColormaps.Jet, imageWeight);
    }

    private static (double Mean, double Deviation) MeanAndDeviation(float[] values)
    {
        double sum = 0;
        foreach (float value in values) sum += value;
        double mean = sum / values.Length, squares = 0;
        foreach (float value in values) squares += (value - mean) * (value - mean);
        return (mean, Math.Sqrt(squares / values.Length));
    }

    /// <summary>
    /// A pixel attribution (Guided Backprop, Guided Grad-CAM) as an image at the photo's size, normalised as in the
    /// Grad-CAM paper's code: zero mean, standard deviation 0.1, centred on grey, clipped.
    /// </summary>
    public static SKBitmap Attribution(Attribution attribution, PreparedImage prepared)
    {
        ArgumentNullException.ThrowIfNull(attribution);
        ArgumentNullException.ThrowIfNull(prepared);
        (double mean, double std) = MeanAndDeviation(attribution.Values);
        var bitmap = new SKBitmap(new SKImageInfo(prepared.OriginalWidth, prepared.OriginalHeight,
            SKColorType.Rgba8888, SKAlphaType.Unpremul));
        Span<byte> pixels = bitmap.GetPixelSpan();
        for (int modelChannel = 0; modelChannel < Math.Min(3, attribution.Channels); modelChannel++)
        {
            int rgb = prepared.Preprocessing.ChannelOrder == ChannelOrder.Rgb ? modelChannel : 2 - modelChannel;
            float[] values = prepared.ToOriginal(attribution, modelChannel).Values;
            for (int i = 0; i < values.Length; i++)
            {
                double normalised = (values[i] - mean) / (std + 1e-5) * 0.1 + 0.5;
                pixels[i * 4 + rgb] = (byte)Math.Round(Math.Clamp(normalised, 0, 1) * 255);
            }
        }
        for (int i = 3; i < pixels.Length; i += 4) pixels[i] = 255;
        return bitmap;
    }

    private static SKBitmap AsRgba(SKBitmap bitmap, out SKBitmap? converted)
    {
        converted = null;
        if (bitmap.ColorType == SKColorType.Rgba8888) return bitmap;
        converted =
            new SKBitmap(new SKImageInfo(bitmap.Width, bitmap.Height, SKColorType.Rgba8888, SKAlphaType.Unpremul));
        bitmap.CopyTo(converted, SKColorType.Rgba8888);
        return converted;
    }

    /// <summary>
    /// Draws <paramref name="box"/> (in the bitmap's pixels) as a white frame edged in black, with
    /// <paramref name="caption"/> on a dark band above it (inside the picture when the box touches its top).
    /// </summary>
    public static void DrawBox(SKBitmap bitmap, Box box, string caption)
    {
        Bitmaps.ThrowIfUnusable(bitmap, nameof(bitmap));
        ArgumentNullException.ThrowIfNull(caption);
        using var canvas = new SKCanvas(bitmap);
        float width = Math.Max(2f, Math.Max(bitmap.Width, bitmap.Height) / 200f);
        var rectangle = new SKRect(box.X0, box.Y0, box.X1, box.Y1);
        using (var edge = new SKPaint { Color = SKColors.Black, Style = SKPaintStyle.Stroke, StrokeWidth = 2 * width })
            canvas.DrawRect(rectangle, edge);
        using (var frame = new SKPaint { Color = SKColors.White, Style = SKPaintStyle.Stroke, StrokeWidth = width })
            canvas.DrawRect(rectangle, frame);
        using SKTypeface typeface = Fonts.Sans();
        using var font = new SKFont(typeface, Math.Max(10f, bitmap.Height / 30f));
        using var ink = new SKPaint { Color = SKColors.White, IsAntialias = true };
        using var band = new SKPaint { Color = new SKColor(0, 0, 0, 180) };
        float top = Math.Max(0, box.Y0 - font.Size - 4);
        canvas.DrawRect(new SKRect(box.X0, top, box.X0 + font.MeasureText(caption) + 6, top + font.Size + 4), band);
        canvas.DrawText(caption, box.X0 + 3, top + font.Size, SKTextAlign.Left, font, ink);
    }
}
