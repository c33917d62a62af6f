using GradCamSharp.Imaging;
using GradCamSharp.Pipeline;
using static TorchSharp.torch;

namespace GradCamSharp.VisionLanguage;

/// <summary>
/// Photos in; a caption or answers, their maps, panels and <c>explanations.json</c> out (written to a staging folder
/// and moved into place only when every photo succeeded). The shells of <c>gradcam caption</c> and
/// <c>gradcam vqa</c>.
/// </summary>
public sealed class VisionLanguagePipeline(VisionLanguageModel model)
{
    /// <summary>
    /// Captions every photo of <paramref name="job"/> and explains the caption and each content word.
    /// </summary>
    /// <param name="job">The photos, settings and (optionally) the caption to explain.</param>
    /// <param name="report">Receives, per photo, the explained caption.</param>
    /// <param name="progress">Receives a line per photo.</param>
    /// <param name="cancellationToken">Checked between photos; a cancelled run writes nothing.</param>
    /// <returns>The manifest entries.</returns>
    public IReadOnlyList<ManifestEntry> Caption(VisionLanguageJob job, Action<string, ExplainedCaption>? report = null,
        IProgress<string>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(job);
        if (model.Task != VisionLanguageTasks.Captioner)
            throw new UsageException($"{model.Name} answers questions; 'caption' needs a captioner");
        if (job.Caption is not null) _ = model.EncodeCaption(job.Caption);
        var explainer = new VisionLanguageExplainer(model, job.Settings);
        return Run(job, progress, (photo, output) =>
        {
            string path = photo.Source.Path;
            using ExplainedCaption caption = explainer.Caption(photo.Bitmap, Path.GetFileName(path), job.Caption,
                job.BeamWidth);
            PngFile.Save(caption.Panel, output.Add($"{photo.Source.Stem}_words_panel.png", out string wordsPanel));
            var entries = new List<ManifestEntry>();
            foreach (ExplainedWord word in caption.Words)
            {
                entries.AddRange(Write(word.Rendered, photo, output, e => e with
                {
                    Caption = caption.Caption,
                    Word = word.Word,
                    WordIndex = word.Position,
                    ScoreKind = "log-probability",
                    WordsPanel = wordsPanel,
                }));
            }
            report?.Invoke(path, caption);
            return entries;
        }, cancellationToken);
    }

    /// <summary>Answers the job's question about every photo and explains the given or top answers.</summary>
    /// <param name="job">The photos, the question, the answers to explain.</param>
    /// <param name="report">Receives, per photo, the ranked and explained answers.</param>
    /// <param name="progress">Receives a line per photo.</param>
    /// <param name="cancellationToken">Checked between photos; a cancelled run writes nothing.</param>
    /// <returns>The manifest entries.</returns>
    public IReadOnlyList<ManifestEntry> Answer(VisionLanguageJob job, Action<string, ExplainedAnswers>? report = null,
        IProgress<string>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(job);
        if (model.Task != VisionLanguageTasks.Vqa)
            throw new UsageException($"{model.Name} is a captioner; 'vqa' needs a VQA model");
        if (string.IsNullOrWhiteSpace(job.Question)) throw new UsageException("the question is empty");
        if (job.TopAnswers < 1) throw new UsageException($"--top must be at least 1, got {job.TopAnswers}");
        _ = model.EncodeQuestion(job.Question);
        foreach (string answer in job.Answers) _ = model.AnswerIndex(answer);
        var explainer = new VisionLanguageExplainer(model, job.Settings);
        return Run(job, progress, (photo, output) =>
        {
            string path = photo.Source.Path;
            using ExplainedAnswers answers = explainer.Answer(photo.Bitmap, Path.GetFileName(path), job.Question,
                job.Answers, job.TopAnswers);
            report?.Invoke(path, answers);
            var entries = new List<ManifestEntry>();
            foreach (ExplainedAnswer answer in answers.Explained)
            {
                entries.AddRange(Write(answer.Rendered, photo, output, e => e with
                {
                    Question = answers.Question,
                    Answer = answer.Answer,
                    Probability = answer.Probability,
                }));
            }
            return entries;
        }, cancellationToken);
    }

    private static IReadOnlyList<ManifestEntry> Run(VisionLanguageJob job, IProgress<string>? progress,
        Func<LoadedPhoto, StagedOutput, List<ManifestEntry>> explainOne, CancellationToken cancellationToken)
    {
        var batch = new PhotoBatch(job.Images, job.OutputDirectory, job.Decoding, job.Overwrite);
        return batch.Run((photo, output) =>
        {
            using var scope = NewDisposeScope();
            return explainOne(photo, output);
        }, progress, cancellationToken: cancellationToken);
    }

    private IEnumerable<ManifestEntry> Write(RenderedTarget target, LoadedPhoto photo, StagedOutput output,
        Func<ManifestEntry, ManifestEntry> complete) =>
        ExplainPipeline.Write(target, photo, model.Name, "logit", output).Select(complete);
}
