using System.Text.Json.Serialization;
using GradCamSharp.Catalog;
using GradCamSharp.Imaging;
using GradCamSharp.Maps;
using GradCamSharp.Methods;
using GradCamSharp.Targets;
using SkiaSharp;
using static TorchSharp.torch;

namespace GradCamSharp.Pipeline;

/// <summary>
/// <c>gradcam detect</c>: a single-tensor detector's detections on each photo (<see cref="Detection.Decode"/>), each
/// explained through its own score at the cell that produced it (<see cref="DetectionTarget"/>): per detection and
/// method an overlay with the detection's box (PHOTO_dN_LABEL_METHOD.png), a picture of every box
/// (PHOTO_detections.png), a panel of both (PHOTO_panel.png) and <see cref="ExplainPipeline.ManifestName"/>, published
/// all together or not at all.
/// </summary>
public sealed class DetectionPipeline
{
    private readonly LoadedModel _model;

    /// <summary>Runs detections with <paramref name="model"/>.</summary>
    public DetectionPipeline(LoadedModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        _model = model;
    }

    /// <summary>Detects and explains the objects on every photo of <paramref name="job"/>.</summary>
    /// <param name="job">The photos, the output folder, the methods, layer and colormap (classes, regions and masks
    /// are for explain).</param>
    /// <param name="detection">How boxes are read from the output.</param>
    /// <param name="progress">Receives one line per photo.</param>
    /// <param name="cancellationToken">Checked between photos; a cancelled run writes nothing.</param>
    /// <returns>The manifest entries: per detection and method, <c>box</c> the detection's box in the photo's pixels
    /// and <c>peak</c> its map's peak, with the fields of <see cref="DetectionFields"/>.</returns>
    /// <exception cref="UsageException">Settings that do not apply, or a model whose output is no detector's.
    /// </exception>
    public IReadOnlyList<ManifestEntry> Run(ExplainJob job, DetectionOptions detection,
        IProgress<string>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(job);
        ArgumentNullException.ThrowIfNull(detection);
        ExplanationSettings settings = job.Settings;
        if (settings.Classes.Count > 0 || settings.Region is not null || settings.Mask is not null)
            throw new UsageException("detect explains the model's own detections: --class, --region and --mask are " +
                "for explain");
        detection.Validate();
        IColormap colormap = KnownColormaps.Get(settings.Colormap);
        MethodSet methods = settings.CreateMethods(_model.Model);
        var batch = new PhotoBatch(job.Images, job.OutputDirectory, job.Decoding, job.Overwrite);
        return batch.Run((photo, output) => DetectOne(photo, output, methods, detection, colormap, settings,
            cancellationToken), progress, $"detect, then {string.Join(", ", methods.Outputs)}", cancellationToken);
    }

    /// <summary>The detections on one photo, in its pixels, best first.</summary>
    public IReadOnlyList<Detection> Detect(SKBitmap photo, DetectionOptions detection)
    {
        ArgumentNullException.ThrowIfNull(detection);
        PreparedImage prepared = ImagePreprocessor.Prepare(photo, _model.Preprocessing);
        using var scope = NewDisposeScope();
        return [.. Decode(prepared, prepared.ToTensor(), detection)
            .Select(d => d with { Box = ToPhoto(prepared, d.Box) })];
    }

    private List<Detection> Decode(PreparedImage prepared, Tensor input, DetectionOptions detection)
    {
        Tensor output;
        using (no_grad())
        using (_model.Model.BeginExplanation())
            output = _model.Model.Forward(input, Models.ForwardTaps.None);
        if (output.dim() != 4 || output.shape[1] <= DetectionTarget.ClassOffset)
        {
            throw new UsageException($"{_model.Name} is no single-tensor detector: its output is " +
                $"[{string.Join(", ", output.shape)}], not [N, 5 + classes, H, W]");
        }
        return [.. Detection.Decode(output[0], prepared.Preprocessing.Width, prepared.Preprocessing.Height,
            detection.Anchor, detection.Threshold, detection.Overlap).Take(detection.MostDetections)];
    }

    private List<ManifestEntry> DetectOne(LoadedPhoto photo, IPhotoOutput output, MethodSet methods,
        DetectionOptions detection, IColormap colormap, ExplanationSettings settings, CancellationToken cancellation)
    {
        PreparedImage prepared = ImagePreprocessor.Prepare(photo.Bitmap, _model.Preprocessing);
        using var scope = NewDisposeScope();
        Tensor input = prepared.ToTensor();
        List<Detection> detections = Decode(prepared, input, detection);
        string stem = photo.Source.Stem;
        using SKBitmap all = photo.Bitmap.Copy();
        foreach ((Detection found, int k) in detections.Select((d, k) => (d, k)))
            Renderer.DrawBox(all, ToPhoto(prepared, found.Box), $"{k + 1} {Label(found)} {found.Score:0.00}");
        PngFile.Save(all, output.Add($"{stem}_detections.png", out string allName));
        if (detections.Count == 0) return [];
        IReadOnlyList<Explanation> explained = methods.Explain(input,
            [[.. detections.Select(d => (ITarget)d.Target)]], settings.RunOptions(cancellation: cancellation));
        int perDetection = explained.Count / detections.Count;
        string panelPath = output.Add($"{stem}_panel.png", out string panelName);
        var entries = new List<ManifestEntry>();
        // The panel shows every detection's map by its first method.
        var tiles = new List<PanelTile> { new(all, "detections", $"{detections.Count} found") };
        try
        {
            for (int i = 0; i < explained.Count; i++)
            {
                Explanation explanation = explained[i];
                Detection found = detections[i / perDetection];
                Box box = ToPhoto(prepared, found.Box);
                Heatmap heat = prepared.ToOriginal(explanation.Heatmap);
                SKBitmap overlay = Renderer.Overlay(photo.Bitmap, heat, colormap);
                bool inPanel = i % perDetection == 0;
                if (inPanel)
                    tiles.Add(new PanelTile(overlay, $"{i / perDetection + 1}: {Label(found)}",
                        PhotoExplainer.Title(explanation.Method)));
                Renderer.DrawBox(overlay, box, $"{Label(found)} {found.Score:0.00}");
                string file = $"{stem}_d{i / perDetection + 1}_{PhotoExplainer.Slug(Label(found))}";
                PngFile.Save(overlay, output.Add($"{file}_{explanation.Method}.png", out string name));
                if (!inPanel) overlay.Dispose();
                (int peakX, int peakY) = heat.Peak;
                entries.Add(new ManifestEntry
                {
                    Image = photo.Source.Path,
                    Model = _model.Name,
                    Layer = explanation.Layer,
                    Method = explanation.Method,
                    ClassIndex = found.ClassIndex,
                    ClassLabel = _model.LabelOf(found.ClassIndex),
                    Score = explanation.Score,
                    ScoreKind = "objectness + class logit",
                    File = name,
                    Peak = [peakX, peakY],
                    Box = box.ToArray(),
                    Panel = panelName,
                }.With(new DetectionFields
                {
                    Detection = i / perDetection + 1,
                    Probability = found.Score,
                    Cell = [found.Row, found.Column],
                    PeakInBox = heat.Max > 0 && box.Contains(peakX + 0.5, peakY + 0.5),
                    Detections = allName,
                }));
            }
            using SKBitmap panel = Panel.Compose(tiles);
            PngFile.Save(panel, panelPath);
        }
        finally
        {
            foreach (PanelTile tile in tiles.Skip(1)) tile.Image.Dispose();
        }
        return entries;
    }

    private string Label(Detection detection) =>
        _model.LabelOf(detection.ClassIndex) ?? $"class {detection.ClassIndex}";

    /// <summary>A box of input pixels in the photo's pixels.</summary>
    private static Box ToPhoto(PreparedImage prepared, Box box)
    {
        (double x0, double y0) = prepared.ToOriginal(box.X0, box.Y0);
        (double x1, double y1) = prepared.ToOriginal(box.X1, box.Y1);
        return new Box((int)Math.Round(x0), (int)Math.Round(y0), (int)Math.Round(Math.Min(x1, prepared.OriginalWidth)),
            (int)Math.Round(Math.Min(y1, prepared.OriginalHeight)));
    }
}

/// <summary>How <see cref="DetectionPipeline"/> reads boxes from a single-tensor detector's output.</summary>
public sealed record DetectionOptions
{
    /// <summary>The box size, in input pixels, that tw = th = 0 stands for (32 for <c>shapes-detector</c>).</summary>
    public float Anchor { get; init; } = 32;

    /// <summary>The least score (objectness times class probability) reported.</summary>
    public float Threshold { get; init; } = 0.3f;

    /// <summary>Non-maximum suppression's IoU: a box overlapping a better one of its class more is dropped.</summary>
    public float Overlap { get; init; } = 0.5f;

    /// <summary>The most detections explained per photo (the best ones).</summary>
    public int MostDetections { get; init; } = 10;

    /// <summary>Refuses values that cannot work.</summary>
    /// <exception cref="UsageException">One is out of range.</exception>
    public void Validate()
    {
        if (!(Anchor > 0)) throw new UsageException($"--anchor must be positive, got {Anchor}");
        if (Threshold is not (> 0 and < 1))
            throw new UsageException($"--threshold must be in (0, 1), got {Threshold}");
        if (Overlap is not (> 0 and <= 1)) throw new UsageException($"--overlap must be in (0, 1], got {Overlap}");
        if (MostDetections < 1) throw new UsageException($"--max-detections must be at least 1, got {MostDetections}");
    }
}

/// <summary>What a detection's entry of <c>explanations.json</c> adds.</summary>
public sealed record DetectionFields
{
    /// <summary>The detection's rank on its photo, from 1.</summary>
    [JsonPropertyName("detection")] public int? Detection { get; init; }

    /// <summary>Its score: sigmoid(objectness) times the class's probability.</summary>
    [JsonPropertyName("detection_score")] public float? Probability { get; init; }

    /// <summary>[row, column] of the output cell that produced it.</summary>
    [JsonPropertyName("cell")] public int[]? Cell { get; init; }

    /// <summary>Whether the map's peak lies in the detection's box.</summary>
    [JsonPropertyName("peak_in_box")] public bool? PeakInBox { get; init; }

    /// <summary>The picture of every detection on the photo.</summary>
    [JsonPropertyName("detections_file")] public string? Detections { get; init; }

}
