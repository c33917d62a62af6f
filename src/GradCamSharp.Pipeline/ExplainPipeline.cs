using System.Text.Json;
using GradCamSharp.Imaging;
using SkiaSharp;

namespace GradCamSharp.Pipeline;

/// <summary>
/// Photos in; maps, overlays, a panel per photo and class, and <c>explanations.json</c> out. Everything is written to
/// a staging folder first and moved into place only when every photo succeeded, so a failure leaves no partial output.
/// </summary>
public sealed class ExplainPipeline
{
    /// <summary>The manifest's file name.</summary>
    public const string ManifestName = "explanations.json";

    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true };
    private readonly LoadedModel _model;

    /// <summary>Runs explanations with <paramref name="model"/>.</summary>
    public ExplainPipeline(LoadedModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        _model = model;
    }

    /// <summary>Explains every photo of <paramref name="job"/>.</summary>
    /// <param name="job">What to do.</param>
    /// <param name="progress">Receives one line per photo.</param>
    /// <returns>The manifest entries, as written to <see cref="ManifestName"/>.</returns>
    /// <exception cref="UsageException">Bad method, colormap, class or layer.</exception>
    /// <exception cref="ImageLoadException">A photo is missing or corrupt.</exception>
    /// <exception cref="OutputException">The output folder cannot be written.</exception>
    public IReadOnlyList<ManifestEntry> Run(ExplainJob job, IProgress<string>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(job);
        if (job.Images.Count == 0) throw new UsageException("no images given");
        var explainer = new PhotoExplainer(_model, job.Settings);
        foreach (string image in job.Images) ImageLoader.Probe(image);

        using StagedOutput output = StagedOutput.Begin(job.OutputDirectory);
        var entries = new List<ManifestEntry>();
        string what = $"{string.Join(", ", explainer.Methods)} for {string.Join(", ", explainer.Targets)}";
        for (int i = 0; i < job.Images.Count; i++)
        {
            string image = job.Images[i];
            progress?.Report($"[{i + 1}/{job.Images.Count}] {image}: {what}");
            entries.AddRange(ExplainOne(explainer, image, output));
        }
        File.WriteAllText(output.Add(ManifestName), JsonSerializer.Serialize(entries, JsonOptions));
        output.Publish();
        return entries;
    }

    private List<ManifestEntry> ExplainOne(PhotoExplainer explainer, string imagePath, StagedOutput output)
    {
        using SKBitmap photo = ImageLoader.Load(imagePath);
        var entries = new List<ManifestEntry>();
        foreach (RenderedTarget target in explainer.Explain(photo, Path.GetFileName(imagePath)))
        {
            using (target) entries.AddRange(Write(target, imagePath, _model.Name, _model.ScoreKind, output));
        }
        return entries;
    }

    /// <summary>
    /// Stages one target's maps (PHOTO_TAG_METHOD.png) and its panel (PHOTO_TAG_panel.png) and returns their
    /// manifest entries: the file layout every pipeline shares.
    /// </summary>
    /// <param name="target">The rendered maps of one target on one photo.</param>
    /// <param name="imagePath">The photo, as given.</param>
    /// <param name="model">The model's name.</param>
    /// <param name="scoreKind">What the scores are: "logit", "similarity", ...</param>
    /// <param name="output">Where the files are staged.</param>
    public static IReadOnlyList<ManifestEntry> Write(RenderedTarget target, string imagePath, string model,
        string scoreKind, StagedOutput output)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(output);
        string stem = Path.GetFileNameWithoutExtension(imagePath);
        var entries = new List<ManifestEntry>();
        foreach (RenderedMap map in target.Maps)
        {
            string file = $"{stem}_{target.Tag}_{map.Method}.png";
            PngFile.Save(map.Picture, output.Add(file));
            entries.Add(new ManifestEntry
            {
                Image = imagePath,
                Model = model,
                Layer = map.Explanation.Layer,
                Method = map.Method,
                ClassIndex = map.Explanation.ClassIndex,
                ClassLabel = target.Label,
                Score = map.Explanation.Score,
                ScoreKind = scoreKind,
                File = file,
                Peak = map.Peak,
                Box = map.Box,
            });
        }
        if (target.Panel is SKBitmap panel) PngFile.Save(panel, output.Add($"{stem}_{target.Tag}_panel.png"));
        return entries;
    }
}
