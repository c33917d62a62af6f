using GradCamSharp.Maps;
using SkiaSharp;

namespace GradCamSharp.Imaging;

/// <summary>Draws the concepts of a Deep Feature Factorization together on one photo.</summary>
public static class ConceptRenderer
{
    /// <summary>
    /// The colour of concept <paramref name="index"/> of <paramref name="count"/>: hues spread evenly around the wheel,
    /// so that every concept of a picture has its own.
    /// </summary>
    public static SKColor Colour(int index, int count) =>
        SKColor.FromHsv(360f * index / Math.Max(1, count), 90, 100);

    /// <summary>
    /// pytorch-grad-cam's show_factorization_on_image: each pixel takes the colour of the concept strongest there,
    /// as bright as that concept's map (in [0, 1]), blended with the photo at <paramref name="imageWeight"/>.
    /// </summary>
    /// <param name="photo">The photo.</param>
    /// <param name="maps">One map per concept, each the photo's size.</param>
    /// <param name="imageWeight">The photo's share of each pixel.</param>
    /// <exception cref="ObjectDisposedException"><paramref name="photo"/> was disposed.</exception>
    public static SKBitmap Combined(SKBitmap photo, IReadOnlyList<Heatmap> maps, float imageWeight = 0.3f)
    {
        Bitmaps.ThrowIfUnusable(photo, nameof(photo));
        ArgumentNullException.ThrowIfNull(maps);
        if (maps.Count == 0) throw new ArgumentException("no concept maps", nameof(maps));
        if (maps.Any(m => m.Width != photo.Width || m.Height != photo.Height))
            throw new ArgumentException($"every map must be the photo's size, {photo.Width}x{photo.Height}");
        byte[][] colours = [.. Enumerable.Range(0, maps.Count).Select(i => Colour(i, maps.Count))
            .Select(c => new[] { c.Red, c.Green, c.Blue })];
        var result = new SKBitmap(new SKImageInfo(photo.Width, photo.Height, SKColorType.Rgba8888,
            SKAlphaType.Unpremul));
        Span<byte> target = result.GetPixelSpan();
        using SKBitmap rgba = photo.Copy(SKColorType.Rgba8888);
        ReadOnlySpan<byte> source = rgba.GetPixelSpan();
        for (int p = 0; p < photo.Width * photo.Height; p++)
        {
            int strongest = 0;
            for (int k = 1; k < maps.Count; k++)
            {
                if (maps[k].Values[p] > maps[strongest].Values[p]) strongest = k;
            }
            float brightness = Math.Clamp(maps[strongest].Values[p], 0, 1);
            byte[] channel = colours[strongest];
            for (int c = 0; c < 3; c++)
            {
                target[p * 4 + c] = (byte)MathF.Round(imageWeight * source[p * 4 + c]
                    + (1 - imageWeight) * brightness * channel[c]);
            }
            target[p * 4 + 3] = 255;
        }
        return result;
    }
}
