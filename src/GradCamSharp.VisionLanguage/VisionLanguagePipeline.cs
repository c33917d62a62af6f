using GradCamSharp.Imaging;
using GradCamSharp.Pipeline;
using System.Text.Json;
using static TorchSharp.torch;

namespace GradCamSharp.VisionLanguage;

/// <summary>
/// Photos in; a caption or answers, their maps, panels and <c>explanations.json</c> out (written to a staging folder
/// and moved into place only when every photo succeeded), or, for a dataset, the same task per photo streamed by a
/// <see cref="GradCamSharp.Pipeline.Datasets.DatasetRun"/>. The shells of <c>gradcam caption</c> and
/// <c>gradcam vqa</c>.
/// </summary>
public static class VisionLanguagePipeline
{
    /// <summary>
    /// Captions every photo of <paramref name="job"/> and explains the caption and each content word.
    /// </summary>
    /// <param name="model">The captioner.</param>
    /// <param name="job">The photos, settings and (optionally) the caption to explain.</param>
    /// <param name="report">Receives, per photo, the explained caption.</param>
    /// <param name="progress">Receives a line per photo.</param>
    /// <param name="cancellationToken">Checked between photos; a cancelled run writes nothing.</param>
    /// <returns>The manifest entries.</returns>
    public static IReadOnlyList<ManifestEntry> Caption(Captioner model, VisionLanguageJob job,
        Action<string, ExplainedCaption>? report = null, IProgress<string>? progress = null,
        CancellationToken cancellationToken = default) =>
        Run(job, CaptionTask(model, job, report), progress, cancellationToken);

    /// <summary>
    /// What <see cref="Caption"/> does to each photo, for a dataset run (see <see cref="PhotoTask"/>); the job's
    /// photos do not matter.
    /// </summary>
    /// <exception cref="UsageException">A caption with words the model does not know.</exception>
    /// <param name="model">The captioner.</param>
    /// <param name="job">The photos, settings, and the caption or phrases to explain.</param>
    /// <param name="report">Receives, per photo, the explained caption.</param>
    /// <param name="phrasesReport">Receives, per photo, the explained phrases (when the job has phrases).</param>
    public static PhotoTask CaptionTask(Captioner model, VisionLanguageJob job,
        Action<string, ExplainedCaption>? report = null, Action<string, ExplainedPhrases>? phrasesReport = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(job);
        if (job.Phrases.Count > 0 || job.PhrasesByImage.Count > 0) return PhrasesTask(model, job, phrasesReport);
        if (job.Caption is not null) _ = model.EncodeCaption(job.Caption);
        string settings = JsonSerializer.Serialize(new
        {
            task = "caption", model = model.Name, job.Settings, job.Caption, job.BeamWidth, job.Decoding,
        });
        return new PhotoTask(settings, (photo, output) =>
        {
            using var scope = NewDisposeScope();
            string path = photo.Source.Path;
            using ExplainedCaption caption = VisionLanguageExplainer.Caption(model, job.Settings, photo.Bitmap,
                Path.GetFileName(path), job.Caption, job.BeamWidth);
            PngFile.Save(caption.Panel, output.Add($"{photo.Source.Stem}_words_panel.png", out string wordsPanel));
            var entries = new List<ManifestEntry>();
            foreach (ExplainedWord word in caption.Words)
            {
                entries.AddRange(WriteCaption(model, word.Rendered, photo, output, new CaptionFields
                {
                    Caption = caption.Caption,
                    Word = word.Word,
                    WordIndex = word.Position,
                    WordsPanel = wordsPanel,
                }));
            }
            report?.Invoke(path, caption);
            return entries;
        });
    }

    /// <summary>
    /// The job's phrases read one by one on every photo: a map per phrase and method, and the panel of the paper's
    /// Figure 3b (<c>PHOTO_phrases_panel.png</c>: the boxes, then each phrase's map with its box).
    /// </summary>
    private static PhotoTask PhrasesTask(Captioner model, VisionLanguageJob job,
        Action<string, ExplainedPhrases>? report)
    {
        foreach (DescribedBox phrase in job.Phrases.Concat(job.PhrasesByImage.Values.SelectMany(p => p)))
            _ = model.EncodeCaption(phrase.Phrase);
        string settings = JsonSerializer.Serialize(new
        {
            task = "phrases", model = model.Name, job.Settings, job.Phrases, job.PhrasesByImage, job.Decoding,
        });
        return new PhotoTask(settings, (photo, output) =>
        {
            using var scope = NewDisposeScope();
            string name = Path.GetFileName(photo.Source.Path);
            IReadOnlyList<DescribedBox> asked = job.Phrases.Count > 0 ? job.Phrases
                : job.PhrasesByImage.TryGetValue(name, out IReadOnlyList<DescribedBox>? listed) ? listed
                : throw new UsageException($"{name} is not in the scenes index: no phrases to explain");
            using ExplainedPhrases phrases = VisionLanguageExplainer.Phrases(model, job.Settings, photo.Bitmap, name,
                asked);
            PngFile.Save(phrases.Panel, output.Add($"{photo.Source.Stem}_phrases_panel.png", out string panel));
            var entries = new List<ManifestEntry>();
            foreach (ExplainedPhrase phrase in phrases.Phrases)
            {
                entries.AddRange(WriteCaption(model, phrase.Rendered, photo, output, new CaptionFields
                {
                    Caption = phrase.Phrase,
                    Box = phrase.Box is Maps.Box box ? [box.X0, box.Y0, box.X1, box.Y1] : null,
                    PeakInBox = phrase.PeakInBox,
                    PhrasesPanel = panel,
                }));
            }
            report?.Invoke(photo.Source.Path, phrases);
            return entries;
        });
    }

    /// <summary>Answers the job's question about every photo and explains the given or top answers.</summary>
    /// <param name="model">The VQA model.</param>
    /// <param name="job">The photos, the question, the answers to explain.</param>
    /// <param name="report">Receives, per photo, the ranked and explained answers.</param>
    /// <param name="progress">Receives a line per photo.</param>
    /// <param name="cancellationToken">Checked between photos; a cancelled run writes nothing.</param>
    /// <returns>The manifest entries.</returns>
    public static IReadOnlyList<ManifestEntry> Answer(VqaModel model, VisionLanguageJob job,
        Action<string, ExplainedAnswers>? report = null, IProgress<string>? progress = null,
        CancellationToken cancellationToken = default) =>
        Run(job, AnswerTask(model, job, report), progress, cancellationToken);

    /// <summary>
    /// What <see cref="Answer"/> does to each photo, for a dataset run (see <see cref="PhotoTask"/>); the job's
    /// photos do not matter.
    /// </summary>
    /// <exception cref="UsageException">An empty question, unknown words or answers, or a top count below 1.
    /// </exception>
    public static PhotoTask AnswerTask(VqaModel model, VisionLanguageJob job,
        Action<string, ExplainedAnswers>? report = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(job);
        if (string.IsNullOrWhiteSpace(job.Question)) throw new UsageException("the question is empty");
        if (job.TopAnswers < 1) throw new UsageException($"--top must be at least 1, got {job.TopAnswers}");
        _ = model.EncodeQuestion(job.Question);
        foreach (string answer in job.Answers) _ = model.AnswerIndex(answer);
        string settings = JsonSerializer.Serialize(new
        {
            task = "vqa", model = model.Name, job.Settings, job.Question, job.Answers, job.TopAnswers, job.Decoding,
        });
        return new PhotoTask(settings, (photo, output) =>
        {
            using var scope = NewDisposeScope();
            string path = photo.Source.Path;
            using ExplainedAnswers answers = VisionLanguageExplainer.Answer(model, job.Settings, photo.Bitmap,
                Path.GetFileName(path), job.Question, job.Answers, job.TopAnswers);
            report?.Invoke(path, answers);
            var entries = new List<ManifestEntry>();
            foreach (ExplainedAnswer answer in answers.Explained)
            {
                entries.AddRange(Write(model, answer.Rendered, photo, output, e => e.With(new AnswerFields
                {
                    Question = answers.Question,
                    Answer = answer.Answer,
                    Probability = answer.Probability,
                })));
            }
            return entries;
        });
    }

    private static IReadOnlyList<ManifestEntry> Run(VisionLanguageJob job, PhotoTask task,
        IProgress<string>? progress, CancellationToken cancellationToken)
    {
        var batch = new PhotoBatch(job.Images, job.OutputDirectory, job.Decoding, job.Overwrite);
        return batch.Run(task.ExplainOne, progress, cancellationToken: cancellationToken);
    }

    /// <summary>A captioner's entries: log-probabilities, with the caption's fields.</summary>
    private static IEnumerable<ManifestEntry> WriteCaption(Captioner model, RenderedTarget target, LoadedPhoto photo,
        IPhotoOutput output, CaptionFields fields) =>
        Write(model, target, photo, output, e => (e with { ScoreKind = "log-probability" }).With(fields));

    private static IEnumerable<ManifestEntry> Write(VisionLanguageModel model, RenderedTarget target,
        LoadedPhoto photo, IPhotoOutput output, Func<ManifestEntry, ManifestEntry> complete) =>
        ExplainPipeline.Write(target, photo, model.Name, "logit", output).Select(complete);
}
