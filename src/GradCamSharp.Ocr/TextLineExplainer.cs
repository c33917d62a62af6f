using GradCamSharp.Imaging;
using GradCamSharp.Models;
using GradCamSharp.Targets;
using SkiaSharp;
using GradCamSharp.Pipeline;

namespace GradCamSharp.Ocr;

/// <summary>
/// Reads a text line and explains each character (or word) it read: the map of that token's log-probability over the
/// frames it was read on, for every requested method, and a panel of the whole line.
/// </summary>
/// <param name="recognizer">The recogniser.</param>
/// <param name="settings">Methods, layer and colormap (classes and top count do not apply); the automatic layer is
/// <see cref="TextRecognizer.DefaultLayer"/>.</param>
/// <param name="words">Explain whole words (runs of characters between spaces) instead of characters.</param>
internal sealed class TextLineExplainer(TextRecognizer recognizer, ExplanationSettings settings, bool words = false)
{
    /// <summary>
    /// Reads a text line of any width and explains what it read, window by window (see
    /// <see cref="TextRecognizer.Windows"/>), so that memory stays that of one window; the caller disposes each
    /// result after use, before the next is made.
    /// </summary>
    /// <param name="line">The picture of one upright text line.</param>
    /// <param name="name">Its name, for the panels.</param>
    /// <returns>Each window with its owned characters explained on its own picture; one window for a line that fits
    /// one.</returns>
    public IEnumerable<(LineWindow Window, ExplainedLine Explained)> ExplainWindows(SKBitmap line, string name)
    {
        ArgumentNullException.ThrowIfNull(line);
        IReadOnlyList<LineWindow> windows = TextRecognizer.Windows(line.Width, line.Height);
        if (windows.Count == 1)
        {
            yield return (windows[0], Explain(line, name));
            yield break;
        }
        for (int k = 0; k < windows.Count; k++)
        {
            using SKBitmap crop = windows[k].Crop(line);
            yield return (windows[k], Explain(crop, $"{name}, part {k + 1} of {windows.Count}",
                recognizer.ReadOwned(crop, windows[k])));
        }
    }

    /// <summary>Reads <paramref name="line"/> (one window wide at most) and explains what it read.</summary>
    /// <param name="line">The picture of one upright text line.</param>
    /// <param name="name">Its name, for the panels.</param>
    /// <exception cref="UsageException">A line wider than one window (see <see cref="ExplainWindows"/>).</exception>
    public ExplainedLine Explain(SKBitmap line, string name)
    {
        ArgumentNullException.ThrowIfNull(line);
        return Explain(line, name, recognizer.Read(line));
    }

    private ExplainedLine Explain(SKBitmap line, string name, RecognizedLine read)
    {
        IReadOnlyList<RecognizedCharacter[]> units = Units(read.Characters, words);
        if (units.Count == 0) return new ExplainedLine(read, [], null);
        var targets = units.Select(unit => ((ITarget)CtcTokenTarget.Tokens(
            unit.Select(c => new CtcToken(c.Token, c.Frames)).ToArray(), Describe(unit)), Describe(unit))).ToList();
        ExplanationSettings chosen = string.Equals(settings.Layer, ModelLayers.Auto, StringComparison.OrdinalIgnoreCase)
            ? settings with { Layer = TextRecognizer.DefaultLayer } : settings;
        var explainer = new PhotoExplainer(recognizer.Model, read.Prepared.Preprocessing, chosen, targets);
        IReadOnlyList<RenderedTarget> rendered = explainer.Explain(line, name);
        var tokens = units.Zip(rendered, (unit, target) => new ExplainedToken(
            string.Concat(unit.Select(c => c.Text)), unit[0].Index, [.. unit.SelectMany(c => c.Frames)],
            Rename(target, unit))).ToList();
        SKBitmap panel = Panel.Compose([new PanelTile(line, read.Text.Length > 0 ? read.Text : "(no text)", name),
            .. tokens.Select(t => new PanelTile(t.Rendered.Maps[0].Picture, $"'{t.Text}'",
                $"{PhotoExplainer.Title(t.Rendered.Maps[0].Method)}, position {t.Index}"))]);
        return new ExplainedLine(read, tokens, panel);
    }

    /// <summary>The characters to explain, one by one or grouped into words; spaces are never explained.</summary>
    internal static IReadOnlyList<RecognizedCharacter[]> Units(IReadOnlyList<RecognizedCharacter> characters,
        bool words)
    {
        if (!words) return characters.Where(c => !string.IsNullOrWhiteSpace(c.Text)).Select(c => new[] { c }).ToList();
        var units = new List<RecognizedCharacter[]>();
        var current = new List<RecognizedCharacter>();
        foreach (RecognizedCharacter? character in characters.Append(null))
        {
            if (character is not null && !string.IsNullOrWhiteSpace(character.Text))
            {
                current.Add(character);
                continue;
            }
            if (current.Count > 0) units.Add([.. current]);
            current.Clear();
        }
        return units;
    }

    private static string Describe(RecognizedCharacter[] unit) =>
        $"'{string.Concat(unit.Select(c => c.Text))}' at {unit[0].Index}";

    /// <summary>File tags by position and code point, which survive any script: "03-u6b-k".</summary>
    private static RenderedTarget Rename(RenderedTarget target, RecognizedCharacter[] unit)
    {
        string text = string.Concat(unit.Select(c => c.Text));
        string readable = new(text.Where(char.IsAsciiLetterOrDigit).Take(20).ToArray());
        return new RenderedTarget
        {
            Tag = $"{unit[0].Index:00}-{(readable.Length > 0 ? readable : $"u{char.ConvertToUtf32(text, 0):x}")}",
            Label = text,
            Maps = target.Maps,
            Panel = target.Panel,
        };
    }
}

/// <summary>A read line with its explained tokens; disposing it frees their pictures and the panel.</summary>
/// <param name="Line">What the recogniser read.</param>
/// <param name="Tokens">Each explained character or word.</param>
/// <param name="Panel">The line and every token's map (the first method's), or null when nothing was read.</param>
internal sealed record ExplainedLine(RecognizedLine Line, IReadOnlyList<ExplainedToken> Tokens, SKBitmap? Panel)
    : IDisposable
{
    /// <inheritdoc />
    public void Dispose()
    {
        foreach (ExplainedToken token in Tokens) token.Rendered.Dispose();
        Panel?.Dispose();
    }
}

/// <summary>One explained character or word.</summary>
/// <param name="Text">The token's text.</param>
/// <param name="Index">Its first character's position in the line's text.</param>
/// <param name="Frames">The frames it was read on.</param>
/// <param name="Rendered">Its maps.</param>
internal sealed record ExplainedToken(string Text, int Index, IReadOnlyList<int> Frames, RenderedTarget Rendered);
