using SkiaSharp;

namespace GradCamSharp.Imaging;

/// <summary>Lays pictures side by side with captions: original | Grad-CAM | Guided Backprop | Guided Grad-CAM | ...</summary>
public static class Panel
{
    private const int Margin = 8;
    private const float TitleSize = 16f;
    private const float SubtitleSize = 14f;

    /// <summary>Composes <paramref name="tiles"/>, each scaled to <paramref name="tileHeight"/> pixels high.</summary>
    public static SKBitmap Compose(IReadOnlyList<PanelTile> tiles, int tileHeight = 256)
    {
        ArgumentNullException.ThrowIfNull(tiles);
        if (tiles.Count == 0) throw new ArgumentException("a panel needs at least one tile", nameof(tiles));
        ArgumentOutOfRangeException.ThrowIfLessThan(tileHeight, 16);
        int[] widths = tiles.Select(t => Math.Max(1, (int)Math.Round(t.Image.Width * (double)tileHeight / t.Image.Height))).ToArray();
        int captionHeight = (int)(TitleSize + SubtitleSize) + 3 * Margin / 2;
        int width = widths.Sum() + Margin * (tiles.Count + 1);
        int height = tileHeight + captionHeight + 2 * Margin;

        var panel = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Unpremul));
        using var canvas = new SKCanvas(panel);
        canvas.Clear(SKColors.White);
        using SKTypeface typeface = Fonts.Sans();
        using var titleFont = new SKFont(typeface, TitleSize);
        using var subtitleFont = new SKFont(typeface, SubtitleSize);
        using var ink = new SKPaint { Color = new SKColor(0x20, 0x20, 0x20), IsAntialias = true };
        var sampling = new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.Linear);
        int x = Margin;
        for (int i = 0; i < tiles.Count; i++)
        {
            using SKImage image = SKImage.FromBitmap(tiles[i].Image);
            canvas.DrawImage(image, SKRect.Create(x, Margin, widths[i], tileHeight), sampling);
            float captionTop = Margin + tileHeight + Margin / 2f;
            canvas.DrawText(Fit(tiles[i].Title, titleFont, widths[i]), x, captionTop + TitleSize, titleFont, ink);
            canvas.DrawText(Fit(tiles[i].Subtitle, subtitleFont, widths[i]), x, captionTop + TitleSize + SubtitleSize + 2, subtitleFont, ink);
            x += widths[i] + Margin;
        }
        return panel;
    }

    private static string Fit(string text, SKFont font, float width)
    {
        if (font.MeasureText(text) <= width) return text;
        while (text.Length > 1 && font.MeasureText(text + "…") > width) text = text[..^1];
        return text + "…";
    }
}
