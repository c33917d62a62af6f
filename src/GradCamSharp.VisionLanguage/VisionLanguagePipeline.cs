using System.Text.Json;
using GradCamSharp.Imaging;
using GradCamSharp.Pipeline;
using SkiaSharp;
using static TorchSharp.torch;

namespace GradCamSharp.VisionLanguage;

/// <summary>
/// Photos in; a caption or answers, their maps, panels and <c>explanations.json</c> out (written to a staging folder
/// and moved into place only when every photo succeeded). The shells of <c>gradcam caption</c> and
/// <c>gradcam vqa</c>.
/// </summary>
public sealed class VisionLanguagePipeline(VisionLanguageModel model)
{
    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true };

    /// <summary>
    /// Captions every photo of <paramref name="job"/> and explains the caption and each content word.
    /// </summary>
    /// <param name="job">The photos, settings and (optionally) the caption to explain.</param>
    /// <param name="report">Receives, per photo, the explained caption.</param>
    /// <param name="progress">Receives a line per photo.</param>
    /// <returns>The manifest entries.</returns>
    public IReadOnlyList<ManifestEntry> Caption(VisionLanguageJob job, Action<string, ExplainedCaption>? report = null,
        IProgress<string>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(job);
        if (model.Task != VisionLanguageTasks.Captioner)
            throw new UsageException($"{model.Name} answers questions; 'caption' needs a captioner");
        if (job.Caption is not null) _ = model.EncodeCaption(job.Caption);
        var explainer = new VisionLanguageExplainer(model, job.Settings);
        return Run(job, progress, (photo, path, output) =>
        {
            using ExplainedCaption caption = explainer.Caption(photo, Path.GetFileName(path), job.Caption);
            var entries = new List<ManifestEntry>();
            foreach (ExplainedWord word in caption.Words)
            {
                entries.AddRange(Write(word.Rendered, path, output, e => e with
                {
                    Caption = caption.Caption,
                    Word = word.Word,
                    WordIndex = word.Position,
                    ScoreKind = "log-probability",
                }));
            }
            PngFile.Save(caption.Panel, output.Add($"{Path.GetFileNameWithoutExtension(path)}_words_panel.png"));
            report?.Invoke(path, caption);
            return entries;
        });
    }

    /// <summary>Answers the job's question about every photo and explains the given or top answers.</summary>
    /// <param name="job">The photos, the question, the answers to explain.</param>
    /// <param name="report">Receives, per photo, the ranked and explained answers.</param>
    /// <param name="progress">Receives a line per photo.</param>
    /// <returns>The manifest entries.</returns>
    public IReadOnlyList<ManifestEntry> Answer(VisionLanguageJob job, Action<string, ExplainedAnswers>? report = null,
        IProgress<string>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(job);
        if (model.Task != VisionLanguageTasks.Vqa)
            throw new UsageException($"{model.Name} is a captioner; 'vqa' needs a VQA model");
        if (string.IsNullOrWhiteSpace(job.Question)) throw new UsageException("the question is empty");
        if (job.TopAnswers < 1) throw new UsageException($"--top must be at least 1, got {job.TopAnswers}");
        _ = model.EncodeQuestion(job.Question);
        foreach (string answer in job.Answers) _ = model.AnswerIndex(answer);
        var explainer = new VisionLanguageExplainer(model, job.Settings);
        return Run(job, progress, (photo, path, output) =>
        {
            using ExplainedAnswers answers = explainer.Answer(photo, Path.GetFileName(path), job.Question,
                job.Answers, job.TopAnswers);
            report?.Invoke(path, answers);
            var entries = new List<ManifestEntry>();
            foreach (ExplainedAnswer answer in answers.Explained)
            {
                entries.AddRange(Write(answer.Rendered, path, output, e => e with
                {
                    Question = answers.Question,
                    Answer = answer.Answer,
                    Probability = answer.Probability,
                }));
            }
            return entries;
        });
    }

    private static List<ManifestEntry> Run(VisionLanguageJob job, IProgress<string>? progress,
        Func<SKBitmap, string, StagedOutput, List<ManifestEntry>> explainOne)
    {
        if (job.Images.Count == 0) throw new UsageException("no images given");
        foreach (string image in job.Images) ImageLoader.Probe(image);
        using StagedOutput output = StagedOutput.Begin(job.OutputDirectory);
        var entries = new List<ManifestEntry>();
        for (int i = 0; i < job.Images.Count; i++)
        {
            string image = job.Images[i];
            progress?.Report($"[{i + 1}/{job.Images.Count}] {image}");
            using SKBitmap photo = ImageLoader.Load(image);
            using var scope = NewDisposeScope();
            entries.AddRange(explainOne(photo, image, output));
        }
        File.WriteAllText(output.Add(ExplainPipeline.ManifestName), JsonSerializer.Serialize(entries, JsonOptions));
        output.Publish();
        return entries;
    }

    private IEnumerable<ManifestEntry> Write(RenderedTarget target, string imagePath, StagedOutput output,
        Func<ManifestEntry, ManifestEntry> complete) =>
        ExplainPipeline.Write(target, imagePath, model.Name, "logit", output).Select(complete);
}
