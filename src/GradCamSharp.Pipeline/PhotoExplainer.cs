using System.Diagnostics;
using GradCamSharp.Evaluation;
using GradCamSharp.Imaging;
using GradCamSharp.Maps;
using GradCamSharp.Methods;
using GradCamSharp.Models;
using GradCamSharp.Targets;
using SkiaSharp;
using TorchSharp;
using static TorchSharp.torch;
using GradCamSharp.Catalog;

namespace GradCamSharp.Pipeline;

/// <summary>
/// Explains photos held in memory with fixed settings and draws the results: what the command line writes to files
/// and the web demo sends to the browser. Every requested method comes from one forward pass (see
/// <see cref="MethodSet"/>).
/// </summary>
public sealed class PhotoExplainer
{
    private readonly Preprocessing _preprocessing;
    private readonly Func<int, int, Preprocessing>? _preprocessingFor;
    private readonly IReadOnlyList<int>? _region;
    private readonly int[] _regionClasses = [];
    private readonly (bool[] Pixels, int Width, int Height)? _mask;
    private readonly Func<int?, string?> _labelOf;
    private readonly IColormap _colormap;
    private readonly ITarget[] _targets;
    private readonly MethodSet _methods;
    private readonly RunOptions _run;
    private readonly bool _saveMaps;

    /// <summary>Checks <paramref name="settings"/> against <paramref name="model"/> and prepares the methods.</summary>
    /// <param name="model">The model.</param>
    /// <param name="settings">What to explain and how.</param>
    /// <param name="progress">Told how far long methods (Score-CAM, occlusion, ...) have got.</param>
    /// <param name="cancellation">Stops long methods between batches.</param>
    /// <exception cref="UsageException">Bad method, colormap, class or top count.</exception>
    public PhotoExplainer(LoadedModel model, ExplanationSettings settings, IProgress<MethodProgress>? progress = null,
        CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(settings);
        if (settings.Top < 1) throw new UsageException($"--top must be at least 1, got {settings.Top}");
        if (model.DefaultLayer is string layer
            && string.Equals(settings.Layer, ModelLayers.Auto, StringComparison.OrdinalIgnoreCase))
            settings = settings with { Layer = layer };
        _preprocessing = model.Preprocessing;
        _preprocessingFor = model.PreprocessingFor;
        _labelOf = model.LabelOf;
        _colormap = KnownColormaps.Get(settings.Colormap);
        _saveMaps = settings.SaveMaps;
        int[] classes = [.. settings.Classes.Select(c => Labels.Resolve(c, model.Labels, null)).Distinct()];
        string[] In(string where) => [.. classes.Select(c => $"{model.LabelOf(c) ?? $"class {c}"} in {where}")];
        if (settings.Region is not null && settings.Mask is not null)
        {
            throw new UsageException("give --region or --mask, not both: each says where the class is explained");
        }
        if (settings.Region is { } region)
        {
            if (region.Count != 4 || region[2] <= region[0] || region[3] <= region[1])
                throw new UsageException("--region must be x0,y0,x1,y1 with x1 > x0 and y1 > y0");
            // With classes, a segmenter's class over the box (each class its own score); without, the whole dense
            // output summed inside it (a text detector's probability).
            _region = region;
            _regionClasses = classes;
            _targets = [];
            Targets = classes.Length == 0 ? [$"region {string.Join(",", region)}"] : In(string.Join(",", region));
        }
        else if (settings.Mask is string maskFile)
        {
            if (classes.Length == 0) throw new UsageException("--mask explains a segmenter's classes: give --class");
            using SKBitmap picture = ImageLoader.Load(maskFile);
            _mask = (LightPixels(picture), picture.Width, picture.Height);
            _regionClasses = classes;
            _targets = [];
            Targets = In(Path.GetFileName(maskFile));
        }
        else
        {
            _targets = classes.Length > 0
                ? classes.Select(c => (ITarget)new ClassTarget(c)).ToArray()
                : [new TopClassesTarget(settings.Top, model.NotAnswers)];
            Targets = classes.Length > 0
                ? [.. classes.Select(c => model.LabelOf(c) is string label ? $"{label} (class {c})" : $"class {c}")]
                : [settings.Top == 1 ? "the top class" : $"the top {settings.Top} classes"];
        }
        _methods = settings.CreateMethods(model.Model);
        _run = settings.RunOptions(progress, cancellation);
    }

    /// <summary>
    /// Explains <paramref name="targets"/> of any explainable model: a VQA model's answers to a fixed question, a
    /// captioner's words. Settings' classes and top count do not apply.
    /// </summary>
    /// <param name="model">The model, its other inputs (question, caption) held fixed.</param>
    /// <param name="preprocessing">How photos become its input.</param>
    /// <param name="settings">Methods, layer and colormap.</param>
    /// <param name="targets">What to explain, each with what the user reads for it.</param>
    /// <param name="labelOf">The name of a class index (an answer), or null.</param>
    public PhotoExplainer(IExplainableModel model, Preprocessing preprocessing, ExplanationSettings settings,
        IReadOnlyList<(ITarget Target, string Description)> targets, Func<int?, string?>? labelOf = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(preprocessing);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(targets);
        if (targets.Count == 0) throw new UsageException("nothing to explain");
        _preprocessing = preprocessing;
        _labelOf = labelOf ?? (_ => null);
        _colormap = KnownColormaps.Get(settings.Colormap);
        _saveMaps = settings.SaveMaps;
        _targets = targets.Select(t => t.Target).ToArray();
        Targets = targets.Select(t => t.Description).ToArray();
        _methods = settings.CreateMethods(model);
        _run = settings.RunOptions();
    }

    /// <summary>The method names, in the order maps are returned.</summary>
    public IReadOnlyList<string> Methods => _methods.Outputs;

    /// <summary>What is explained, as the user will read it: "dog (class 0)", "the top 3 classes".</summary>
    public IReadOnlyList<string> Targets { get; }

    /// <summary>
    /// The time <see cref="Explain"/> has spent in the model (the methods' passes), as against preparing the input
    /// and drawing the results.
    /// </summary>
    public TimeSpan ModelTime { get; private set; }

    /// <summary>Explains <paramref name="photo"/>; the caller disposes the returned targets.</summary>
    /// <param name="photo">An upright RGBA photo.</param>
    /// <param name="name">Its name, for the panel caption.</param>
    /// <example>
    /// <code>
    /// using LoadedModel model = DefaultModel.Load();
    /// var explainer = new PhotoExplainer(model, new ExplanationSettings { Classes = ["dog"], Methods = ["all"] });
    /// using SKBitmap photo = ImageLoader.Load("dog.jpg");
    /// foreach (RenderedTarget target in explainer.Explain(photo, "dog.jpg"))
    /// {
    ///     using (target) PngFile.Save(target.Maps[0].Picture, $"{target.Tag}.png");
    /// }
    /// </code>
    /// </example>
    public IReadOnlyList<RenderedTarget> Explain(SKBitmap photo, string name) =>
        Render(ExplainMaps(photo), photo, name);

    /// <summary>
    /// The model's part of <see cref="Explain"/>: the maps of <paramref name="photo"/>, not yet drawn. A server holds
    /// its model only for this and draws with <see cref="Render"/> afterwards.
    /// </summary>
    /// <param name="photo">An upright RGBA photo.</param>
    public ExplainedPhoto ExplainMaps(SKBitmap photo)
    {
        ArgumentNullException.ThrowIfNull(photo);
        return ExplainAlone(Prepare(photo));
    }

    /// <summary>
    /// <see cref="ExplainMaps(SKBitmap)"/> for several photos at once: photos whose inputs have the same size go
    /// through the model together, one forward pass and one backward pass per target for all of them (a server
    /// batches the requests that wait for its model together). A region is given in one photo's pixels, so with a
    /// region each photo is explained alone.
    /// </summary>
    /// <param name="photos">Upright RGBA photos.</param>
    /// <returns>Each photo's maps, in the order of <paramref name="photos"/>.</returns>
    public IReadOnlyList<ExplainedPhoto> ExplainMaps(IReadOnlyList<SKBitmap> photos)
    {
        ArgumentNullException.ThrowIfNull(photos);
        return ExplainPrepared([.. photos.Select(Prepare)]);
    }

    /// <summary>
    /// <see cref="ExplainMaps(IReadOnlyList{SKBitmap})"/> for photos already made the model's input by
    /// <see cref="Prepare"/> (a server ranks the classes of the same inputs first).
    /// </summary>
    /// <param name="prepared">The photos' inputs.</param>
    /// <returns>Each photo's maps, in the order of <paramref name="prepared"/>.</returns>
    public IReadOnlyList<ExplainedPhoto> ExplainPrepared(IReadOnlyList<PreparedImage> prepared)
    {
        ArgumentNullException.ThrowIfNull(prepared);
        if (_region is not null || _mask is not null || prepared.Count == 1)
            return [.. prepared.Select(ExplainAlone)];
        var explained = new ExplainedPhoto[prepared.Count];
        foreach (IGrouping<(int, int), int> sameSize in Enumerable.Range(0, prepared.Count)
            .GroupBy(i => (prepared[i].Preprocessing.Width, prepared[i].Preprocessing.Height)))
        {
            int[] members = [.. sameSize];
            long start = Stopwatch.GetTimestamp();
            using DisposeScope scope = NewDisposeScope();
            Tensor batch = cat([.. members.Select(i => prepared[i].ToTensor())], 0);
            IReadOnlyList<Explanation> explanations =
                _methods.Explain(batch, [.. members.Select(_ => (IReadOnlyList<ITarget>)_targets)], _run);
            ModelTime += Stopwatch.GetElapsedTime(start);
            for (int sample = 0; sample < members.Length; sample++)
            {
                explained[members[sample]] = new ExplainedPhoto(prepared[members[sample]],
                    [.. explanations.Where(e => e.SampleIndex == sample).Select(e => e with { SampleIndex = 0 })]);
            }
        }
        return explained;
    }

    /// <summary><paramref name="photo"/> as the model's input: resized and normalised as the model expects.</summary>
    /// <param name="photo">An upright RGBA photo.</param>
    public PreparedImage Prepare(SKBitmap photo)
    {
        ArgumentNullException.ThrowIfNull(photo);
        return ImagePreprocessor.Prepare(photo,
            _preprocessingFor?.Invoke(photo.Width, photo.Height) ?? _preprocessing);
    }

    private ExplainedPhoto ExplainAlone(PreparedImage prepared)
    {
        long start = Stopwatch.GetTimestamp();
        using DisposeScope scope = NewDisposeScope();
        IReadOnlyList<Explanation> explanations =
            _methods.Explain(prepared.ToTensor(), [_mask is not null ? MaskOn(prepared)
                : _region is null ? _targets : RegionOn(prepared)], _run);
        ModelTime += Stopwatch.GetElapsedTime(start);
        return new ExplainedPhoto(prepared, explanations);
    }

    /// <summary>
    /// Draws maps from <see cref="ExplainMaps(SKBitmap)"/> over <paramref name="photo"/> (no model work); the caller
    /// disposes the returned targets.
    /// </summary>
    /// <param name="explained">The maps.</param>
    /// <param name="photo">The photo they explain.</param>
    /// <param name="name">Its name, for the panel caption.</param>
    public IReadOnlyList<RenderedTarget> Render(ExplainedPhoto explained, SKBitmap photo, string name)
    {
        ArgumentNullException.ThrowIfNull(explained);
        ArgumentNullException.ThrowIfNull(photo);
        PreparedImage prepared = explained.Prepared;
        int methodCount = _methods.Outputs.Count;
        var targets = new List<RenderedTarget>();
        foreach (Explanation[] perTarget in explained.Explanations.Chunk(methodCount))
        {
            Explanation first = perTarget[0];
            string? label = _labelOf(first.ClassIndex);
            string caption =
                $"{label ?? (first.ClassIndex is int c ? $"class {c}" : first.TargetName)} ({first.Score:0.###})";
            var maps = perTarget.Select(explanation => RenderMap(explanation, photo, prepared)).ToList();
            SKBitmap? panel = maps.Count <= 1 ? null : Panel.Compose(
                [new PanelTile(photo, "original", name),
                    .. maps.Select(m => new PanelTile(m.Picture, Title(m.Method), caption))]);
            targets.Add(new RenderedTarget
            {
                Tag = Slug(label ?? (first.ClassIndex is int i ? $"class{i}" : first.TargetName)),
                Label = label,
                Maps = maps,
                Panel = panel,
            });
        }
        return targets;
    }

    /// <summary>The region, given in photo pixels, in the model's input (and dense output) pixels: the targets there.
    /// </summary>
    private IReadOnlyList<ITarget> RegionOn(PreparedImage prepared)
    {
        IReadOnlyList<int> region = _region!;
        if (region[0] < 0 || region[1] < 0 || region[2] > prepared.OriginalWidth || region[3] > prepared.OriginalHeight)
        {
            throw new UsageException($"--region {string.Join(",", region)} lies outside the {prepared.OriginalWidth}x" +
                $"{prepared.OriginalHeight} photo");
        }
        (double x0, double y0) = prepared.ToInput(region[0], region[1]);
        (double x1, double y1) = prepared.ToInput(region[2], region[3]);
        (int left, int top, int right, int bottom) =
            ((int)Math.Floor(x0), (int)Math.Floor(y0), (int)Math.Ceiling(x1), (int)Math.Ceiling(y1));
        if (_regionClasses.Length == 0) return [new RegionTarget(left, top, right, bottom, Targets[0])];
        // What the model sees of the box (rounding to input pixels may pass its edge), as the region target clamps it.
        (left, top) = (Math.Max(left, 0), Math.Max(top, 0));
        right = Math.Min(right, prepared.Preprocessing.Width);
        bottom = Math.Min(bottom, prepared.Preprocessing.Height);
        if (right <= left || bottom <= top)
        {
            throw new UsageException($"--region {string.Join(",", region)} lies outside what the model sees of the " +
                "photo");
        }
        return [.. _regionClasses.Select(c => new SegmentationTarget(c, left, top, right, bottom))];
    }

    /// <summary>The mask, given in photo pixels, in the model's input (and dense output) pixels: the targets there.
    /// </summary>
    private SegmentationTarget[] MaskOn(PreparedImage prepared)
    {
        (bool[] pixels, int width, int height) = _mask!.Value;
        if (width != prepared.OriginalWidth || height != prepared.OriginalHeight)
        {
            throw new UsageException($"the mask is {width}x{height} pixels and the photo {prepared.OriginalWidth}x" +
                $"{prepared.OriginalHeight}: a mask marks the photo's own pixels");
        }
        int inputWidth = prepared.Preprocessing.Width, inputHeight = prepared.Preprocessing.Height;
        var input = new bool[inputWidth * inputHeight];
        for (int v = 0; v < inputHeight; v++)
        {
            for (int u = 0; u < inputWidth; u++)
            {
                (double x, double y) = prepared.ToOriginal(u + 0.5, v + 0.5);
                int column = (int)Math.Floor(x), row = (int)Math.Floor(y);
                input[v * inputWidth + u] = column >= 0 && row >= 0 && column < width && row < height
                    && pixels[row * width + column];
            }
        }
        return [.. _regionClasses.Select(c => new SegmentationTarget(c, input, inputWidth, inputHeight))];
    }

    /// <summary>Which pixels of a mask picture are lighter than mid-grey.</summary>
    private static bool[] LightPixels(SKBitmap picture)
    {
        var light = new bool[picture.Width * picture.Height];
        for (int y = 0; y < picture.Height; y++)
        {
            for (int x = 0; x < picture.Width; x++)
            {
                SKColor color = picture.GetPixel(x, y);
                light[y * picture.Width + x] = color.Alpha > 127 && color.Red + color.Green + color.Blue > 3 * 127;
            }
        }
        return light;
    }

    private RenderedMap RenderMap(Explanation explanation, SKBitmap photo, PreparedImage prepared)
    {
        SKBitmap picture;
        Heatmap located;
        if (explanation.Attribution is Attribution pixels)
        {
            picture = Renderer.Attribution(pixels, prepared);
            located = prepared.ToOriginal(Locatable(explanation.Heatmap));
        }
        else
        {
            located = prepared.ToOriginal(explanation.Heatmap);
            picture = Renderer.Overlay(photo, located, _colormap);
        }
        (int x, int y) = located.Peak;
        return new RenderedMap(explanation.Method, explanation, picture, [x, y],
            Localization.BoundingBox(located)?.ToArray())
        {
            Values = !_saveMaps ? null
                : explanation.Attribution is null ? located : prepared.ToOriginal(explanation.Heatmap),
        };
    }

    /// <summary>
    /// What peak and box mean for a pixel attribution (Guided Backprop, Guided Grad-CAM): its magnitude blurred with a
    /// Gaussian of 3% of the input's long side (7 px at 224), so that they describe where the evidence concentrates
    /// rather than the single strongest edge pixel, which lies anywhere in a textured object.
    /// </summary>
    public static Heatmap Locatable(Heatmap saliency)
    {
        ArgumentNullException.ThrowIfNull(saliency);
        return saliency.Blur(0.03f * Math.Max(saliency.Width, saliency.Height));
    }

    /// <summary>The display name of a method, as in the paper's figures.</summary>
    public static string Title(string method) => KnownMethods.Get(method).Title;

    internal static string Slug(string text)
    {
        string slug = new string(text.Select(ch => char.IsAsciiLetterOrDigit(ch)
            ? char.ToLowerInvariant(ch) : '-').ToArray()).Trim('-');
        while (slug.Contains("--", StringComparison.Ordinal)) slug = slug.Replace("--", "-", StringComparison.Ordinal);
        return slug.Length > 40 ? slug[..40].TrimEnd('-') : slug;
    }
}

/// <summary>A photo's maps from <see cref="PhotoExplainer.ExplainMaps(SKBitmap)"/>, not yet drawn.</summary>
/// <param name="Prepared">How the photo became the model's input (to map the maps back onto it).</param>
/// <param name="Explanations">Per target, one explanation per method.</param>
public sealed record ExplainedPhoto(PreparedImage Prepared, IReadOnlyList<Explanation> Explanations);
