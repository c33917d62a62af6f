using System.Text.Json.Serialization;
using GradCamSharp.Catalog;
using GradCamSharp.Evaluation;
using GradCamSharp.Imaging;
using GradCamSharp.Maps;
using GradCamSharp.Methods;
using GradCamSharp.Targets;
using SkiaSharp;
using static TorchSharp.torch;

namespace GradCamSharp.Pipeline;

/// <summary>
/// <c>gradcam detect</c>: a detector's detections on each photo, each explained through its own score: a single-tensor
/// detector's (<see cref="Detection.Decode"/>) at the cell that produced it (<see cref="DetectionTarget"/>), a listing
/// detector's such as torchvision's (<see cref="BoxList"/>) through the output box that matches it
/// (<see cref="BoxScoreTarget"/>, pytorch-grad-cam's Faster R-CNN target): per detection and
/// method an overlay with the detection's box (PHOTO_dN_LABEL_METHOD.png), a picture of every box
/// (PHOTO_detections.png), a panel of both (PHOTO_panel.png) and <see cref="ExplainPipeline.ManifestName"/>, published
/// all together or not at all.
/// </summary>
public sealed class DetectionPipeline
{
    private readonly LoadedModel _model;

    /// <summary>
    /// The method a detection is explained with unless others are asked for: HiResCAM. A detection's score reads a
    /// few cells of the backbone, and Grad-CAM's mean of the gradient over the whole map loses them (on
    /// shapes-detector its peak is in the box 14% of the time, HiResCAM's 93%: docs/detection.md).
    /// </summary>
    public const string DefaultMethod = "hirescam";

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
        RefuseTargets(settings);
        detection.Validate();
        IColormap colormap = KnownColormaps.Get(settings.Colormap);
        MethodSet methods = settings.CreateMethods(_model.Model);
        var batch = new PhotoBatch(job.Images, job.OutputDirectory, job.Decoding, job.Overwrite);
        return batch.Run((photo, output) => DetectOne(photo, output, methods, detection, colormap, settings,
            cancellationToken), progress, $"detect, then {string.Join(", ", methods.Outputs)}", cancellationToken);
    }

    /// <summary>
    /// Whether <paramref name="model"/> is a detector: its output for a blank input of its size is a box list
    /// (<see cref="BoxList"/>: a torchvision detector's boxes, scores and labels) or, for a single-tensor detector,
    /// <c>[1, 5 + classes, H, W]</c> with a label per class (a segmenter's has as many maps as labels). A model that
    /// cannot run on a blank input of its preprocessing's size is not taken for one.
    /// </summary>
    public static bool IsDetector(LoadedModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        IReadOnlyList<string> labels = model.Labels ?? [];
        using var blank = new SKBitmap(Math.Max(model.Preprocessing.Width, 32),
            Math.Max(model.Preprocessing.Height, 32));
        blank.Erase(SKColors.Gray);
        PreparedImage prepared = ImagePreprocessor.Prepare(blank, model.Preprocessing);
        using var scope = NewDisposeScope();
        using var noGradient = no_grad();
        using IDisposable explaining = model.Model.BeginExplanation();
        try
        {
            Tensor output = model.Model.Forward(prepared.ToTensor(), Models.ForwardTaps.None);
            return BoxList.Holds(output)
                || (output.dim() == 4 && output.shape[1] == labels.Count + DetectionTarget.ClassOffset);
        }
        catch (Exception exception) when (exception is ArgumentException or UnreadableInputException
            or InvalidOperationException or System.Runtime.InteropServices.ExternalException)
        {
            return false;
        }
    }

    /// <summary>The detections on one photo, in its pixels, best first.</summary>
    public IReadOnlyList<Detection> Detect(SKBitmap photo, DetectionOptions detection)
    {
        ArgumentNullException.ThrowIfNull(detection);
        PreparedImage prepared = ImagePreprocessor.Prepare(photo, _model.Preprocessing);
        using var scope = NewDisposeScope();
        return Decode(prepared, prepared.ToTensor(), detection);
    }

    /// <summary>The detections on the prepared photo, best first, their boxes in the photo's pixels (a detection's
    /// target is its cell, whatever the box's pixels).</summary>
    private List<Detection> Decode(PreparedImage prepared, Tensor input, DetectionOptions detection)
    {
        Tensor output;
        using (no_grad())
        using (_model.Model.BeginExplanation())
            output = _model.Model.Forward(input, Models.ForwardTaps.None);
        bool listed = BoxList.Holds(output);
        if (!listed && (output.dim() != 4 || output.shape[1] <= DetectionTarget.ClassOffset))
        {
            throw new UsageException($"{_model.Name} is no detector: its output is " +
                $"[{string.Join(", ", output.shape)}], neither a single tensor [N, 5 + classes, H, W] nor boxes, " +
                "scores and labels");
        }
        IReadOnlyList<Detection> found = listed ? BoxList.Decode(output[0], detection.Threshold)
            : Detection.Decode(output[0], prepared.Preprocessing.Width, prepared.Preprocessing.Height,
                detection.Anchor, detection.Threshold, detection.Overlap);
        return [.. found.Take(detection.MostDetections).Select(d => d with { Box = ToPhoto(prepared, d.Box) })];
    }

    /// <summary>
    /// The detections on <paramref name="photo"/>, each explained by every method of <paramref name="settings"/>: per
    /// detection its maps with its box drawn on them, and the photo with every box. What <c>gradcam detect</c> writes
    /// and the web demo serves.
    /// </summary>
    /// <exception cref="UsageException">A model whose output is no detector's, or settings that do not apply.
    /// </exception>
    public ExplainedDetections Explain(SKBitmap photo, ExplanationSettings settings, DetectionOptions detection,
        CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(photo);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(detection);
        RefuseTargets(settings);
        detection.Validate();
        return ExplainWith(photo, settings.CreateMethods(_model.Model), detection,
            KnownColormaps.Get(settings.Colormap), settings, cancellation);
    }

    private ExplainedDetections ExplainWith(SKBitmap photo, MethodSet methods, DetectionOptions detection,
        IColormap colormap, ExplanationSettings settings, CancellationToken cancellation)
    {
        PreparedImage prepared = ImagePreprocessor.Prepare(photo, _model.Preprocessing);
        using var scope = NewDisposeScope();
        Tensor input = prepared.ToTensor();
        List<Detection> found = Decode(prepared, input, detection);
        SKBitmap boxes = photo.Copy();
        var targets = new List<RenderedTarget>();
        try
        {
            foreach ((Detection one, int k) in found.Select((d, k) => (d, k)))
                Renderer.DrawBox(boxes, one.Box, $"{k + 1} {Label(one)} {one.Score:0.00}");
            IReadOnlyList<Explanation> explained = found.Count == 0 ? [] : methods.Explain(input,
                [[.. found.Select(d => (ITarget)d.Target)]], settings.RunOptions(cancellation: cancellation));
            int perDetection = found.Count == 0 ? 0 : explained.Count / found.Count;
            for (int k = 0; k < found.Count; k++)
            {
                Box box = found[k].Box;
                var maps = new List<RenderedMap>();
                foreach (Explanation explanation in explained.Skip(k * perDetection).Take(perDetection))
                {
                    Heatmap heat = prepared.ToOriginal(explanation.Heatmap);
                    SKBitmap overlay = Renderer.Overlay(photo, heat, colormap);
                    Renderer.DrawBox(overlay, box, $"{Label(found[k])} {found[k].Score:0.00}");
                    (int x, int y) = heat.Peak;
                    maps.Add(new RenderedMap(explanation.Method, explanation, overlay, [x, y],
                        Localization.BoundingBox(heat)?.ToArray()) { Values = heat });
                }
                targets.Add(new RenderedTarget
                {
                    Tag = $"d{k + 1}_{PhotoExplainer.Slug(Label(found[k]))}", Label = Label(found[k]), Maps = maps,
                });
            }
            // The panel shows every detection's map by the first method.
            List<PanelTile> tiles = [new(boxes, "detections", $"{found.Count} found"), .. targets.Select((t, k) =>
                new PanelTile(t.Maps[0].Picture, $"{k + 1}: {t.Label}", PhotoExplainer.Title(t.Maps[0].Method)))];
            return new ExplainedDetections
            {
                Boxes = boxes,
                Found = found,
                Targets = targets,
                Panel = found.Count == 0 ? null : Panel.Compose(tiles),
            };
        }
        catch
        {
            boxes.Dispose();
            foreach (RenderedTarget target in targets) target.Dispose();
            throw;
        }
    }

    private List<ManifestEntry> DetectOne(LoadedPhoto photo, IPhotoOutput output, MethodSet methods,
        DetectionOptions detection, IColormap colormap, ExplanationSettings settings, CancellationToken cancellation)
    {
        using ExplainedDetections explained = ExplainWith(photo.Bitmap, methods, detection, colormap, settings,
            cancellation);
        string stem = photo.Source.Stem;
        PngFile.Save(explained.Boxes, output.Add($"{stem}_detections.png", out string allName));
        if (explained.Panel is null) return [];
        PngFile.Save(explained.Panel, output.Add($"{stem}_panel.png", out string panelName));
        var entries = new List<ManifestEntry>();
        for (int k = 0; k < explained.Found.Count; k++)
        {
            Detection found = explained.Found[k];
            foreach (RenderedMap map in explained.Targets[k].Maps)
            {
                string file = $"{stem}_{explained.Targets[k].Tag}_{map.Method}.png";
                PngFile.Save(map.Picture, output.Add(file, out string name));
                entries.Add(new ManifestEntry
                {
                    Image = photo.Source.Path,
                    Model = _model.Name,
                    Layer = map.Explanation.Layer,
                    Method = map.Method,
                    ClassIndex = found.ClassIndex,
                    ClassLabel = _model.LabelOf(found.ClassIndex),
                    Score = map.Explanation.Score,
                    ScoreKind = found.HasCell ? "objectness + class logit" : "IoU + score of the matching box",
                    File = name,
                    Peak = map.Peak,
                    Box = found.Box.ToArray(),
                    Panel = panelName,
                }.With(new DetectionFields
                {
                    Detection = k + 1,
                    Probability = found.Score,
                    Cell = found.HasCell ? [found.Row, found.Column] : null,
                    PeakInBox = map.Values!.Max > 0 && found.Box.Contains(map.Peak[0] + 0.5, map.Peak[1] + 0.5),
                    Detections = allName,
                }));
            }
        }
        return entries;
    }

    private static void RefuseTargets(ExplanationSettings settings)
    {
        if (settings.Classes.Count > 0 || settings.Region is not null || settings.Mask is not null)
            throw new UsageException("detect explains the model's own detections: --class, --region and --mask are " +
                "for explain");
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

/// <summary>A photo's detections, each explained (<see cref="DetectionPipeline.Explain"/>).</summary>
public sealed class ExplainedDetections : IDisposable
{
    /// <summary>The photo with every detection's box, numbered, labelled and scored.</summary>
    public required SKBitmap Boxes { get; init; }

    /// <summary>The detections, best first, their boxes in the photo's pixels.</summary>
    public required IReadOnlyList<Detection> Found { get; init; }

    /// <summary>Per detection, in the order of <see cref="Found"/>, a map per method with the detection's box on it.
    /// </summary>
    public required IReadOnlyList<RenderedTarget> Targets { get; init; }

    /// <summary>The boxes and each detection's first map side by side; null when nothing was found.</summary>
    public SKBitmap? Panel { get; init; }

    /// <inheritdoc />
    public void Dispose()
    {
        Boxes.Dispose();
        foreach (RenderedTarget target in Targets) target.Dispose();
        Panel?.Dispose();
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
