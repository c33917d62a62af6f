using GradCamSharp.Imaging;
using GradCamSharp.Maps;
using GradCamSharp.Models;
using GradCamSharp.Pipeline;
using GradCamSharp.Targets;
using SkiaSharp;
using static TorchSharp.torch;

namespace GradCamSharp.VisionLanguage;

/// <summary>
/// Explains photos held in memory with a captioner or a VQA model and draws the results: what <c>gradcam caption</c>
/// and <c>gradcam vqa</c> write to files and the web demo sends to the browser.
/// </summary>
public static class VisionLanguageExplainer
{
    /// <summary>
    /// <paramref name="settings"/> for <paramref name="model"/>: the layer "auto" is the image encoder's output, as in
    /// the paper.
    /// </summary>
    private static ExplanationSettings For(VisionLanguageModel model, ExplanationSettings settings)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(settings);
        return settings.Layer == ModelLayers.Auto ? settings with { Layer = model.EncoderLayer } : settings;
    }

    /// <summary>
    /// Captions <paramref name="photo"/> (or reads <paramref name="caption"/>) and explains the whole caption and each
    /// content word; the caller disposes the result.
    /// </summary>
    /// <exception cref="UsageException">The caption has unknown words.</exception>
    /// <param name="model">The captioner.</param>
    /// <param name="settings">Methods, colormap and layer ("auto": the image encoder's output).</param>
    /// <param name="photo">The picture.</param>
    /// <param name="name">Its name in the outputs.</param>
    /// <param name="caption">The caption to explain (teacher-forced); null for the model's own.</param>
    /// <param name="beamWidth">How the model's own caption is decoded: 1 greedily, more by beam search.</param>
    /// <example>
    /// <code>
    /// using Captioner captioner = VisionLanguageCatalog.LoadCaptioner("photos-captioner");
    /// using SKBitmap photo = ImageLoader.Load("dog.jpg");
    /// using ExplainedCaption caption = VisionLanguageExplainer.Caption(captioner, new ExplanationSettings(), photo,
    ///     "dog.jpg");
    /// PngFile.Save(caption.Panel, "dog_words_panel.png");   // caption.Caption, and a map per word
    /// </code>
    /// </example>
    public static ExplainedCaption Caption(Captioner model, ExplanationSettings settings, SKBitmap photo, string name,
        string? caption = null, int beamWidth = 1)
    {
        ArgumentNullException.ThrowIfNull(photo);
        ExplanationSettings chosen = For(model, settings);
        using var scope = NewDisposeScope();
        int[] words = caption is null ? Generated(model, photo, beamWidth) : model.EncodeCaption(caption);
        string text = model.Vocabulary.Decode(words);
        var targets = VisionLanguageTargets.CaptionAndWords(model.Vocabulary, words);
        using IExplainableModel explained = model.ForCaption(words);
        var explainer = new PhotoExplainer(explained, model.Preprocessing, chosen,
            targets.Select(t => (t.Target, t.Description)).ToArray());
        IReadOnlyList<RenderedTarget> rendered = explainer.Explain(photo, name);
        var explainedWords = rendered.Select((target, k) => new ExplainedWord(
            targets[k].Position is int p ? model.Vocabulary.Words[words[p]] : null, targets[k].Position, target))
            .ToArray();
        SKBitmap panel = Panel.Compose([new PanelTile(photo, "original", text),
            .. explainedWords.Skip(1).Select(w => new PanelTile(w.Rendered.Maps[0].Picture, w.Word!,
                $"{PhotoExplainer.Title(w.Rendered.Maps[0].Method)}, log p " +
                w.Rendered.Maps[0].Explanation.Score.ToString("0.00",
                    System.Globalization.CultureInfo.InvariantCulture)))]);
        return new ExplainedCaption(text, caption is null, explainedWords, panel);
    }

    /// <summary>
    /// The paper's Figure 3b: each phrase (a dense captioner's, or any) read by the captioner on its own,
    /// teacher-forced, and explained through its words' log-probability (<see cref="VisionLanguageTargets.Phrase"/>);
    /// the panel shows the photo with every phrase's box, then each phrase's map with its box. The caller disposes the
    /// result.
    /// </summary>
    /// <exception cref="UsageException">No phrases, a phrase with unknown words, an empty box or one outside the
    /// photo.</exception>
    /// <param name="model">The captioner.</param>
    /// <param name="settings">Methods, colormap and layer ("auto": the image encoder's output).</param>
    /// <param name="photo">The picture.</param>
    /// <param name="name">Its name in the outputs.</param>
    /// <param name="phrases">The phrases, each with the box it describes when one is known.</param>
    /// <example>
    /// <code>
    /// using ExplainedPhrases figure = VisionLanguageExplainer.Phrases(captioner, new ExplanationSettings(), scene,
    ///     "scene.png", [new DescribedBox("a red circle", new Box(10, 20, 60, 70)), new DescribedBox("a blue star")]);
    /// bool? found = figure.Phrases[0].PeakInBox;
    /// PngFile.Save(figure.Panel, "scene_phrases_panel.png");
    /// </code>
    /// </example>
    public static ExplainedPhrases Phrases(Captioner model, ExplanationSettings settings, SKBitmap photo, string name,
        IReadOnlyList<DescribedBox> phrases)
    {
        ArgumentNullException.ThrowIfNull(photo);
        ArgumentNullException.ThrowIfNull(phrases);
        if (phrases.Count == 0) throw new UsageException("no phrases to explain");
        ExplanationSettings chosen = For(model, settings);
        foreach (DescribedBox phrase in phrases)
        {
            if (phrase.Box is Box box && (box.X0 < 0 || box.Y0 < 0 || box.Width <= 0 || box.Height <= 0
                || box.X1 > photo.Width || box.Y1 > photo.Height))
            {
                throw new UsageException($"the box [{box.X0}, {box.Y0}, {box.X1}, {box.Y1}] of '{phrase.Phrase}' " +
                    $"is empty or lies outside {name} ({photo.Width}x{photo.Height})");
            }
        }
        int[][] encoded = [.. phrases.Select(p => model.EncodeCaption(p.Phrase))];
        using var scope = NewDisposeScope();
        var explained = new List<ExplainedPhrase>();
        try
        {
            for (int k = 0; k < phrases.Count; k++)
            {
                using IExplainableModel reader = model.ForCaption(encoded[k]);
                string text = model.Vocabulary.Decode(encoded[k]);
                var explainer = new PhotoExplainer(reader, model.Preprocessing, chosen,
                    [(VisionLanguageTargets.Phrase(encoded[k], $"phrase {k + 1} '{text}'"), $"'{text}'")]);
                explained.Add(new ExplainedPhrase(text, phrases[k].Box, explainer.Explain(photo, name)[0]));
            }
            return new ExplainedPhrases(explained, PhrasesPanel(photo, explained));
        }
        catch
        {
            foreach (ExplainedPhrase phrase in explained) phrase.Rendered.Dispose();
            throw;
        }
    }

    /// <summary>The colours of the boxes of successive phrases.</summary>
    private static readonly SKColor[] BoxColours =
    [
        new(0, 200, 0), new(255, 140, 0), new(0, 160, 255), new(230, 0, 180), new(255, 230, 0), new(160, 80, 255),
    ];

    /// <summary>Boxes on the left, a map per phrase on the right, each with its phrase's box.</summary>
    private static SKBitmap PhrasesPanel(SKBitmap photo, List<ExplainedPhrase> phrases)
    {
        static SKBitmap WithBoxes(SKBitmap picture, int width, IEnumerable<(Box Box, SKColor Colour)> boxes)
        {
            SKBitmap copy = picture.Copy();
            using var canvas = new SKCanvas(copy);
            float scale = picture.Width / (float)width, stroke = Math.Max(2, picture.Width / 160f);
            foreach ((Box box, SKColor colour) in boxes)
            {
                using var paint = new SKPaint { Color = colour, Style = SKPaintStyle.Stroke, StrokeWidth = stroke };
                canvas.DrawRect(new SKRect(box.X0 * scale, box.Y0 * scale, box.X1 * scale, box.Y1 * scale), paint);
            }
            return copy;
        }
        (Box Box, SKColor Colour)[] Boxed(int k) => phrases[k].Box is Box box
            ? [(box, BoxColours[k % BoxColours.Length])] : [];
        var drawn = new List<SKBitmap>();
        try
        {
            drawn.Add(WithBoxes(photo, photo.Width, Enumerable.Range(0, phrases.Count).SelectMany(Boxed)));
            var tiles = new List<PanelTile>
            {
                new(drawn[0], "boxes", string.Join("; ", phrases.Select(p => p.Phrase))),
            };
            for (int k = 0; k < phrases.Count; k++)
            {
                RenderedMap map = phrases[k].Rendered.Maps[0];
                drawn.Add(WithBoxes(map.Picture, photo.Width, Boxed(k)));
                string pointing = phrases[k].PeakInBox is bool inside ? inside ? ", peak in its box" : ", peak outside"
                    : "";
                tiles.Add(new PanelTile(drawn[^1], phrases[k].Phrase, $"{PhotoExplainer.Title(map.Method)}{pointing}"));
            }
            return Panel.Compose(tiles);
        }
        finally
        {
            foreach (SKBitmap bitmap in drawn) bitmap.Dispose();
        }
    }

    /// <summary>
    /// Answers <paramref name="question"/> about <paramref name="photo"/> and explains <paramref name="answers"/> (or
    /// the <paramref name="top"/> likeliest); the caller disposes the result.
    /// </summary>
    /// <exception cref="UsageException">Unknown words or answers; an empty question.</exception>
    /// <param name="model">The VQA model.</param>
    /// <param name="settings">Methods, colormap and layer ("auto": the image encoder's output).</param>
    /// <param name="photo">The picture.</param>
    /// <param name="name">Its name in the outputs.</param>
    /// <param name="question">The question.</param>
    /// <param name="answers">The answers to explain; none for the <paramref name="top"/> likeliest.</param>
    /// <param name="top">How many of the likeliest answers to explain when none are given.</param>
    /// <example>
    /// <code>
    /// using VqaModel vqa = VisionLanguageCatalog.LoadVqa("shapes-vqa");
    /// using ExplainedAnswers answers = VisionLanguageExplainer.Answer(vqa, new ExplanationSettings(), scene,
    ///     "scene.png", "what color is the cross", ["red", "yellow"]);
    /// </code>
    /// </example>
    public static ExplainedAnswers Answer(VqaModel model, ExplanationSettings settings, SKBitmap photo, string name,
        string question, IReadOnlyList<string>? answers = null, int top = 1)
    {
        ArgumentNullException.ThrowIfNull(photo);
        ExplanationSettings chosenSettings = For(model, settings);
        if (string.IsNullOrWhiteSpace(question)) throw new UsageException("the question is empty");
        if (top < 1) throw new UsageException($"the number of top answers must be at least 1, got {top}");
        int[] words = model.EncodeQuestion(question);
        int[] chosen = (answers ?? []).Select(model.AnswerIndex).Distinct().ToArray();
        string asked = model.Vocabulary.Decode(words);
        using var scope = NewDisposeScope();
        IReadOnlyList<(string Answer, float Probability)> ranked;
        using (Tensor input = model.Prepare([photo])) ranked = model.Answer(input, asked, model.Answers.Count);
        int[] explainedAnswers = chosen.Length > 0 ? chosen
            : ranked.Take(top).Select(a => model.AnswerIndex(a.Answer)).ToArray();
        using IExplainableModel explained = model.ForQuestion(words);
        var explainer = new PhotoExplainer(explained, model.Preprocessing, chosenSettings,
            explainedAnswers.Select(a => ((ITarget)VisionLanguageTargets.Answer(a), $"answer '{model.Answers[a]}'"))
                .ToArray(), index => index is int i ? model.Answers[i] : null);
        IReadOnlyList<RenderedTarget> rendered = explainer.Explain(photo, name);
        return new ExplainedAnswers(asked, ranked, rendered.Select(r => new ExplainedAnswer(r.Label!,
            ranked.First(a => a.Answer == r.Label).Probability, r)).ToArray());
    }

    private static int[] Generated(Captioner model, SKBitmap photo, int beamWidth)
    {
        using Tensor input = model.Prepare([photo]);
        string caption = model.Caption(input, beamWidth)[0];
        return caption.Length > 0 ? model.EncodeCaption(caption)
            : throw new InvalidOperationException("the captioner produced an empty caption");
    }
}

/// <summary>A caption with its maps: the whole caption first, then each content word.</summary>
/// <param name="Caption">The caption explained.</param>
/// <param name="Generated">Whether the model wrote it.</param>
/// <param name="Words">The whole caption (word null) and each content word, with their maps.</param>
/// <param name="Panel">The photo with the caption under it beside each word's first map.</param>
public sealed record ExplainedCaption(string Caption, bool Generated, IReadOnlyList<ExplainedWord> Words,
    SKBitmap Panel) : IDisposable
{
    /// <summary>The whole caption's log-probability, its end included.</summary>
    public float LogLikelihood => Words[0].Rendered.Maps[0].Explanation.Score;

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (ExplainedWord word in Words) word.Rendered.Dispose();
        Panel.Dispose();
    }
}

/// <summary>One word (or the whole caption, when <paramref name="Word"/> is null) and its maps.</summary>
public sealed record ExplainedWord(string? Word, int? Position, RenderedTarget Rendered);

/// <summary>A question's answers, ranked, and the maps of the explained ones.</summary>
public sealed record ExplainedAnswers(string Question, IReadOnlyList<(string Answer, float Probability)> Ranked,
    IReadOnlyList<ExplainedAnswer> Explained) : IDisposable
{
    /// <inheritdoc />
    public void Dispose()
    {
        foreach (ExplainedAnswer answer in Explained) answer.Rendered.Dispose();
    }
}

/// <summary>One explained answer, its probability and its maps.</summary>
public sealed record ExplainedAnswer(string Answer, float Probability, RenderedTarget Rendered);

/// <summary>A phrase to explain and the box it describes, when one is known (in the photo's pixels).</summary>
public sealed record DescribedBox(string Phrase, Box? Box = null);

/// <summary>One phrase read on its own, with its maps.</summary>
/// <param name="Phrase">The phrase as the model's vocabulary spells it.</param>
/// <param name="Box">The box it describes, if given.</param>
/// <param name="Rendered">Its maps.</param>
public sealed record ExplainedPhrase(string Phrase, Box? Box, RenderedTarget Rendered)
{
    /// <summary>Whether the first map's peak lies in <see cref="Box"/> (the pointing game); null without a box.
    /// </summary>
    public bool? PeakInBox => Box is Box box
        ? ((Area)box).ContainsPixel(Rendered.Maps[0].Peak[0], Rendered.Maps[0].Peak[1]) : null;
}

/// <summary>Phrases read one by one, and the panel of the paper's Figure 3b.</summary>
public sealed record ExplainedPhrases(IReadOnlyList<ExplainedPhrase> Phrases, SKBitmap Panel) : IDisposable
{
    /// <inheritdoc />
    public void Dispose()
    {
        foreach (ExplainedPhrase phrase in Phrases) phrase.Rendered.Dispose();
        Panel.Dispose();
    }
}
