using GradCamSharp.Imaging;

namespace GradCamSharp.Ocr;

/// <summary>A text line as the recogniser read it.</summary>
/// <param name="Text">The decoded text.</param>
/// <param name="Characters">Each decoded character with the frames it was read on.</param>
/// <param name="Path">The best class of every frame (the CTC best path, blanks included).</param>
/// <param name="Prepared">The recogniser's input, with what maps it back onto the picture.</param>
public sealed record RecognizedLine(string Text, IReadOnlyList<RecognizedCharacter> Characters,
    IReadOnlyList<int> Path, PreparedImage Prepared)
{
    /// <summary>The line with only the characters <paramref name="keep"/> accepts, renumbered.</summary>
    public RecognizedLine Only(Func<RecognizedCharacter, bool> keep)
    {
        ArgumentNullException.ThrowIfNull(keep);
        RecognizedCharacter[] kept = [.. Characters.Where(keep).Select((c, index) => c with { Index = index })];
        return this with { Text = string.Concat(kept.Select(c => c.Text)), Characters = kept };
    }
}

/// <summary>
/// One window of a long text line (see <see cref="TextRecognizer.Windows"/>), in the line's pixels: the columns
/// [<see cref="X0"/>, <see cref="X1"/>) it reads, and the stretch [<see cref="Own0"/>, <see cref="Own1"/>) whose
/// characters are its to report.
/// </summary>
/// <param name="X0">The first column read.</param>
/// <param name="X1">One past the last column read.</param>
/// <param name="Own0">The first column owned.</param>
/// <param name="Own1">One past the last column owned.</param>
public sealed record LineWindow(int X0, int X1, int Own0, int Own1)
{
    /// <summary>Whether the line's column <paramref name="x"/> is this window's to report.</summary>
    public bool Owns(double x) => x >= Own0 && x < Own1;

    /// <summary>The columns this window reads, as a new bitmap (the caller disposes it).</summary>
    public SkiaSharp.SKBitmap Crop(SkiaSharp.SKBitmap line)
    {
        ArgumentNullException.ThrowIfNull(line);
        var crop = new SkiaSharp.SKBitmap(X1 - X0, line.Height, line.ColorType, line.AlphaType);
        using var canvas = new SkiaSharp.SKCanvas(crop);
        canvas.DrawBitmap(line, new SkiaSharp.SKRect(X0, 0, X1, line.Height),
            new SkiaSharp.SKRect(0, 0, crop.Width, crop.Height));
        return crop;
    }
}

/// <summary>One decoded character.</summary>
/// <param name="Index">Its position in the decoded text.</param>
/// <param name="Text">The character.</param>
/// <param name="Token">Its class index.</param>
/// <param name="Frames">The output frames it was read on.</param>
/// <param name="Confidence">The mean probability of the best class over those frames.</param>
public sealed record RecognizedCharacter(int Index, string Text, int Token, IReadOnlyList<int> Frames,
    double Confidence);
