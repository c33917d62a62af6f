using SkiaSharp;

namespace GradCamSharp.Imaging;

/// <summary>Lays pictures out with captions: original | Grad-CAM | Guided Backprop | Guided Grad-CAM | ...</summary>
public static class Panel
{
    private const int Margin = 8;
    private const float TitleSize = 16f;
    private const float SubtitleSize = 14f;

    /// <summary>Pictures wider than this (width / height) are stacked in a column instead of a row.</summary>
    public const double WideAspect = 2.5;

    /// <summary>
    /// Composes <paramref name="tiles"/> side by side, each scaled to <paramref name="tileSize"/> pixels high; very
    /// wide pictures (text lines, panoramas) are stacked in a column instead, each <c>3 x tileSize</c> pixels wide.
    /// </summary>
    public static SKBitmap Compose(IReadOnlyList<PanelTile> tiles, int tileSize = 256)
    {
        ArgumentNullException.ThrowIfNull(tiles);
        if (tiles.Count == 0) throw new ArgumentException("a panel needs at least one tile", nameof(tiles));
        ArgumentOutOfRangeException.ThrowIfLessThan(tileSize, 16);
        bool column = tiles.Average(t => (double)t.Image.Width / t.Image.Height) > WideAspect;
        int captionHeight = (int)(TitleSize + SubtitleSize) + 3 * Margin / 2;
        SKSizeI[] sizes = tiles.Select(t => column
            ? new SKSizeI(3 * tileSize, Math.Max(1, (int)Math.Round(t.Image.Height * 3.0 * tileSize / t.Image.Width)))
            : new SKSizeI(Math.Max(1, (int)Math.Round(t.Image.Width * (double)tileSize / t.Image.Height)),
                tileSize)).ToArray();
        int width = column ? 3 * tileSize + 2 * Margin : sizes.Sum(s => s.Width) + Margin * (tiles.Count + 1);
        int height =
            column ? sizes.Sum(s => s.Height + captionHeight + Margin) + Margin : tileSize + captionHeight + 2 * Margin;

        var panel = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Unpremul));
        using var canvas = new SKCanvas(panel);
        canvas.Clear(SKColors.White);
        using SKTypeface typeface = Fonts.Sans();
        using var titleFont = new SKFont(typeface, TitleSize);
        using var subtitleFont = new SKFont(typeface, SubtitleSize);
        using var ink = new SKPaint { Color = new SKColor(0x20, 0x20, 0x20), IsAntialias = true };
        var sampling = new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.Linear);
        int x = Margin, y = Margin;
        for (int i = 0; i < tiles.Count; i++)
        {
            using SKImage image = SKImage.FromBitmap(tiles[i].Image);
            canvas.DrawImage(image, SKRect.Create(x, y, sizes[i].Width, sizes[i].Height), sampling);
            float captionTop = y + sizes[i].Height + Margin / 2f;
            canvas.DrawText(Fit(tiles[i].Title, titleFont, sizes[i].Width), x, captionTop + TitleSize, titleFont, ink);
            canvas.DrawText(Fit(tiles[i].Subtitle, subtitleFont, sizes[i].Width), x,
                captionTop + TitleSize + SubtitleSize + 2, subtitleFont, ink);
            if (column) y += sizes[i].Height + captionHeight + Margin;
            else x += sizes[i].Width + Margin;
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
