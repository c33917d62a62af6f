using GradCamSharp.Maps;
using System.Text.Encodings.Web;
using System.Text.Json;
using GradCamSharp.Imaging;
using SkiaSharp;
using GradCamSharp.Catalog;
using GradCamSharp.Pipeline.Datasets;

namespace GradCamSharp.Pipeline;

/// <summary>
/// Photos in; maps, overlays, a panel per photo and class, and a manifest out. Photos given one by one are written
/// all or nothing (<c>explanations.json</c>, published only when every photo succeeded); a dataset streams, photo by
/// photo, into <c>explanations.jsonl</c>, resumes and shards (see <see cref="DatasetRun"/>).
/// </summary>
public sealed class ExplainPipeline
{
    /// <summary>The manifest's file name.</summary>
    public const string ManifestName = "explanations.json";

    /// <summary>
    /// How manifests are written: indented, with text as people type it ("layer3+layer4", not "layer3\u002Blayer4").
    /// </summary>
    public static JsonSerializerOptions ManifestJson { get; } = new()
    {
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private readonly LoadedModel _model;

    /// <summary>Runs explanations with <paramref name="model"/>.</summary>
    public ExplainPipeline(LoadedModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        _model = model;
    }

    /// <summary>Explains every photo of <paramref name="job"/>.</summary>
    /// <param name="job">What to do.</param>
    /// <param name="progress">Receives one line per photo, and lines every few seconds from long methods.</param>
    /// <param name="cancellationToken">Checked between photos and between a long method's batches; a cancelled run
    /// writes nothing.</param>
    /// <returns>The manifest entries, as written to <see cref="ManifestName"/>.</returns>
    /// <exception cref="UsageException">Bad method, colormap, class or layer.</exception>
    /// <exception cref="ImageLoadException">A photo is missing, corrupt, truncated or over the pixel limit.</exception>
    /// <exception cref="OutputException">The output folder cannot be written.</exception>
    /// <exception cref="OperationCanceledException">Cancelled; nothing was written.</exception>
    public IReadOnlyList<ManifestEntry> Run(ExplainJob job, IProgress<string>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(job);
        var explainer = new PhotoExplainer(_model, job.Settings,
            progress is null ? null : new MethodProgressLines(progress), cancellationToken);
        var batch = new PhotoBatch(job.Images, job.OutputDirectory, job.Decoding, job.Overwrite);
        string what = $"{string.Join(", ", explainer.Methods)} for {string.Join(", ", explainer.Targets)}";
        try
        {
            return batch.Run((photo, output) => ExplainOne(explainer, photo, output), progress, what,
                cancellationToken);
        }
        finally
        {
            ModelTime = explainer.ModelTime;
        }
    }

    /// <summary>
    /// Explains every photo of <paramref name="dataset"/> that <paramref name="run"/>'s folder does not hold yet, each
    /// published as soon as it is done; a photo that fails is recorded and the run goes on.
    /// </summary>
    /// <param name="dataset">The photos (sharded, if sharded).</param>
    /// <param name="run">The output folder and how failures count.</param>
    /// <param name="settings">What to explain in each photo.</param>
    /// <param name="progress">Lines with the rate and the time left, and one per failure.</param>
    /// <param name="cancellationToken">Checked between photos; the photos done stay done.</param>
    /// <exception cref="UsageException">Bad settings, or a folder holding a run with other settings.</exception>
    /// <exception cref="OutputException">The output folder cannot be written.</exception>
    /// <exception cref="OperationCanceledException">Cancelled; the same run resumes.</exception>
    public DatasetCounts Run(Dataset dataset, DatasetRun run, ExplanationSettings settings,
        IProgress<string>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(settings);
        var explainer = new PhotoExplainer(_model, settings,
            progress is null ? null : new MethodProgressLines(progress), cancellationToken);
        try
        {
            return run.Run(dataset, Task(explainer, settings, run.Decoding), progress, cancellationToken);
        }
        finally
        {
            ModelTime = explainer.ModelTime;
        }
    }

    /// <summary>What <see cref="Run(Dataset, DatasetRun, ExplanationSettings, IProgress{string}?,
    /// CancellationToken)"/> does to each photo.</summary>
    private PhotoTask Task(PhotoExplainer explainer, ExplanationSettings settings, ImageDecodeOptions decoding) =>
        new(JsonSerializer.Serialize(new { task = "explain", model = _model.Name, settings, decoding }),
            (photo, output) => ExplainOne(explainer, photo, output))
        {
            ExplainBatch = (photos, outputs) =>
            {
                IReadOnlyList<ExplainedPhoto> explained = explainer.ExplainMaps([.. photos.Select(p => p.Bitmap)]);
                return [.. photos.Select((photo, i) => Stage(explainer.Render(explained[i], photo.Bitmap,
                    Path.GetFileName(photo.Source.Path)), photo, outputs[i]))];
            },
        };

    /// <summary>
    /// The time the last run spent in the model, against which its wall time measures the pipeline
    /// around it (decoding, drawing, encoding, writing; see <c>gradcam bench --pipeline</c>).
    /// </summary>
    public TimeSpan ModelTime { get; private set; }

    /// <summary>
    /// Explains and draws one photo; its files are encoded and written behind, while the model explains the next.
    /// </summary>
    private List<ManifestEntry> ExplainOne(PhotoExplainer explainer, LoadedPhoto photo, IPhotoOutput output) =>
        Stage(explainer.Explain(photo.Bitmap, Path.GetFileName(photo.Source.Path)), photo, output);

    /// <summary>Stages one photo's drawn targets; their files are encoded and written behind.</summary>
    private List<ManifestEntry> Stage(IReadOnlyList<RenderedTarget> targets, LoadedPhoto photo, IPhotoOutput output)
    {
        var entries = new List<ManifestEntry>();
        foreach (RenderedTarget target in targets)
        {
            (IReadOnlyList<ManifestEntry> staged, Action save) =
                Stage(target, photo, _model.Name, _model.ScoreKind, output);
            entries.AddRange(staged);
            output.WriteBehind(() =>
            {
                using (target) save();
            });
        }
        return entries;
    }

    /// <summary>
    /// Stages one target's maps (PHOTO_TAG_METHOD.png) and its panel (PHOTO_TAG_panel.png) and returns their
    /// manifest entries: the file layout every pipeline shares.
    /// </summary>
    /// <param name="target">The rendered maps of one target on one photo.</param>
    /// <param name="photo">The photo: its path, output stem and scale.</param>
    /// <param name="model">The model's name.</param>
    /// <param name="scoreKind">What the scores are: "logit", "similarity", ...</param>
    /// <param name="output">Where the files are staged.</param>
    public static IReadOnlyList<ManifestEntry> Write(RenderedTarget target, LoadedPhoto photo, string model,
        string scoreKind, IPhotoOutput output)
    {
        (IReadOnlyList<ManifestEntry> entries, Action save) = Stage(target, photo, model, scoreKind, output);
        save();
        return entries;
    }

    /// <summary>
    /// <see cref="Write"/> in two steps: the files' names and manifest entries now, and the encoding and writing
    /// they need (no model work; the target must live until it ran).
    /// </summary>
    private static (IReadOnlyList<ManifestEntry> Entries, Action Save) Stage(RenderedTarget target, LoadedPhoto photo,
        string model, string scoreKind, IPhotoOutput output)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(photo);
        ArgumentNullException.ThrowIfNull(output);
        string stem = $"{photo.Source.Stem}_{target.Tag}";
        var saves = new List<Action>();
        string? panel = null;
        if (target.Panel is SKBitmap picture)
        {
            string path = output.Add($"{stem}_panel.png", out panel);
            saves.Add(() => PngFile.Save(picture, path));
        }
        var entries = new List<ManifestEntry>();
        foreach (RenderedMap map in target.Maps)
        {
            string path = output.Add($"{stem}_{map.Method}.png", out string file);
            saves.Add(() => PngFile.Save(map.Picture, path));
            string? mapFile = null;
            if (map.Values is Heatmap values)
            {
                string valuesPath = output.Add($"{stem}_{map.Method}.npy", out mapFile);
                saves.Add(() => NpyFile.Save(values, valuesPath));
            }
            entries.Add(new ManifestEntry
            {
                Image = photo.Source.Path,
                Model = model,
                Layer = map.Explanation.Layer,
                Method = map.Method,
                ClassIndex = map.Explanation.ClassIndex,
                ClassLabel = target.Label,
                Score = map.Explanation.Score,
                ScoreKind = scoreKind,
                File = file,
                MapFile = mapFile,
                Peak = map.Peak,
                Box = map.Box,
                Panel = panel,
                Scale = photo.Scale < 1 ? photo.Scale : null,
                Tokens = map.Explanation.Tokens is { } grid ? new ManifestTokens(grid) : null,
            });
        }
        return (entries, () =>
        {
            foreach (Action save in saves) save();
        });
    }
}
