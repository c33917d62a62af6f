using SkiaSharp;

namespace GradCamSharp.Ocr;

/// <summary>A rendered text line with each character's exact horizontal span.</summary>
/// <param name="Picture">The line, dark text on a light background.</param>
/// <param name="Text">What it says.</param>
/// <param name="Spans">Per character of <see cref="Text"/>, [x0, x1) in pixels (its advance).</param>
/// <param name="Font">The font file's name.</param>
/// <param name="Size">The font size in pixels.</param>
/// <param name="Noisy">Whether noise and blur were added.</param>
internal sealed record RenderedLine(SKBitmap Picture, string Text, IReadOnlyList<(double X0, double X1)> Spans,
    string Font, float Size, bool Noisy) : IDisposable
{
    /// <inheritdoc />
    public void Dispose() => Picture.Dispose();
}

/// <summary>
/// Seeded text lines in the fonts Debian ships (DejaVu Sans, Serif and Sans Mono, from <c>fonts-dejavu-core</c>):
/// random words and numbers over the Latin letters and digits, at several sizes, half of them with light noise and
/// blur; the truth for measuring a recogniser and its per-character maps.
/// </summary>
internal static class TextLineRenderer
{
    /// <summary>The font files tried, in the folders Debian and other distributions use.</summary>
    public static IReadOnlyList<string> FontFiles { get; } =
        ["DejaVuSans.ttf", "DejaVuSerif.ttf", "DejaVuSansMono.ttf"];

    private static readonly string[] FontFolders =
        ["/usr/share/fonts/truetype/dejavu", "/usr/share/fonts/dejavu", "/usr/share/fonts/TTF"];

    private const string Letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";

    /// <summary>The fonts found on this machine.</summary>
    public static IReadOnlyList<string> AvailableFonts() => FontFiles
        .Select(file => FontFolders.Select(folder => Path.Combine(folder, file)).FirstOrDefault(File.Exists))
        .OfType<string>().ToArray();

    /// <summary>Renders line <paramref name="index"/> of the seeded sequence <paramref name="seed"/>.</summary>
    /// <exception cref="UnreadableInputException">No DejaVu font is installed.</exception>
    public static RenderedLine Render(int seed, int index)
    {
        IReadOnlyList<string> fonts = AvailableFonts();
        if (fonts.Count == 0)
            throw new UnreadableInputException("no DejaVu font found; install fonts-dejavu-core (apt-get install " +
                "fonts-dejavu-core)");
        var random = new Random(HashCode.Combine(seed, index, 0x0c4));
        string text = RandomText(random);
        string font = fonts[random.Next(fonts.Count)];
        float size = 22 + random.Next(0, 5) * 5;
        bool noisy = random.Next(2) == 1;
        return Render(text, font, size, noisy, random);
    }

    /// <summary>
    /// Renders <paramref name="text"/> in <paramref name="fontFile"/> at <paramref name="size"/> pixels.
    /// </summary>
    public static RenderedLine Render(string text, string fontFile, float size, bool noisy = false,
        Random? random = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(text);
        random ??= new Random(0);
        using SKTypeface typeface = SKTypeface.FromFile(fontFile)
            ?? throw new UnreadableInputException($"cannot read the font {fontFile}");
        using var font = new SKFont(typeface, size);
        using var paint = new SKPaint { IsAntialias = true, Color = new SKColor(20, 20, 28) };
        // A margin like that of a detector's crop: a third of the font size.
        float margin = size * 0.35f;
        var spans = new List<(double, double)>();
        for (int i = 0; i < text.Length; i++)
            spans.Add((margin + font.MeasureText(text[..i]), margin + font.MeasureText(text[..(i + 1)])));
        int width = (int)Math.Ceiling(2 * margin + font.MeasureText(text));
        int height = (int)Math.Ceiling(size * 1.5f);
        var picture = new SKBitmap(width, height, SKColorType.Rgba8888, SKAlphaType.Premul);
        using (var canvas = new SKCanvas(picture))
        {
            byte paper = (byte)(225 + random.Next(30));
            canvas.Clear(new SKColor(paper, paper, (byte)(paper - random.Next(10))));
            float baseline = (height - (font.Metrics.Descent - font.Metrics.Ascent)) / 2 - font.Metrics.Ascent;
            canvas.DrawText(text, margin, baseline, SKTextAlign.Left, font, paint);
        }
        if (noisy) picture = AddNoiseAndBlur(picture, random);
        return new RenderedLine(picture, text, spans, Path.GetFileName(fontFile), size, noisy);
    }

    private static string RandomText(Random random)
    {
        int words = random.Next(2, 5);
        var parts = new List<string>();
        for (int w = 0; w < words; w++)
        {
            if (random.Next(4) == 0)
            {
                parts.Add(random.Next(10, 100000).ToString(System.Globalization.CultureInfo.InvariantCulture));
                continue;
            }
            int length = random.Next(2, 8);
            parts.Add(new string(Enumerable.Range(0, length).Select(_ => Letters[random.Next(Letters.Length)])
                .ToArray()));
        }
        return string.Join(' ', parts);
    }

    /// <summary>Gaussian noise (sigma 8 grey levels) and a blur of 0.6 pixels.</summary>
    private static SKBitmap AddNoiseAndBlur(SKBitmap picture, Random random)
    {
        var blurred = new SKBitmap(picture.Width, picture.Height, SKColorType.Rgba8888, SKAlphaType.Premul);
        using (var canvas = new SKCanvas(blurred))
        using (var paint = new SKPaint { ImageFilter = SKImageFilter.CreateBlur(0.6f, 0.6f) })
        {
            canvas.Clear(SKColors.White);
            canvas.DrawBitmap(picture, 0, 0, paint);
        }
        picture.Dispose();
        Span<byte> pixels = blurred.GetPixelSpan();
        for (int i = 0; i < pixels.Length; i += 4)
        {
            double u = 1 - random.NextDouble(), v = random.NextDouble();
            int noise = (int)Math.Round(8 * Math.Sqrt(-2 * Math.Log(u)) * Math.Cos(2 * Math.PI * v));
            for (int c = 0; c < 3; c++) pixels[i + c] = (byte)Math.Clamp(pixels[i + c] + noise, 0, 255);
        }
        return blurred;
    }
}
