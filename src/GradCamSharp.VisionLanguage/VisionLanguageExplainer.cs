using GradCamSharp.Imaging;
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
