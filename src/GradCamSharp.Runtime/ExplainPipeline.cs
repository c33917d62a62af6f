using System.Text.Json;
using GradCamSharp.Evaluation;
using GradCamSharp.Imaging;
using GradCamSharp.Maps;
using GradCamSharp.Methods;
using GradCamSharp.Targets;
using SkiaSharp;
using TorchSharp;
using static TorchSharp.torch;

namespace GradCamSharp.Runtime;

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

    /// <summary>The method names a request expands to ("all" becomes the paper's four).</summary>
    public static IReadOnlyList<string> ExpandMethods(IReadOnlyList<string> methods)
    {
        var expanded = new List<string>();
        foreach (string method in methods.Count == 0 ? [KnownMethods.GradCam] : methods)
        {
            IEnumerable<string> names = string.Equals(method, "all", StringComparison.OrdinalIgnoreCase) ? KnownMethods.Paper : [method.ToLowerInvariant()];
            foreach (string name in names)
            {
                if (!KnownMethods.Names.Contains(name, StringComparer.OrdinalIgnoreCase))
                    throw new ArgumentException($"unknown method '{name}'; known: {string.Join(", ", KnownMethods.Names)}, all");
                if (!expanded.Contains(name)) expanded.Add(name);
            }
        }
        return expanded;
    }

    /// <summary>Explains every photo of <paramref name="request"/>.</summary>
    /// <param name="request">What to do.</param>
    /// <param name="progress">Receives one line per photo.</param>
    /// <returns>The manifest entries, as written to <see cref="ManifestName"/>.</returns>
    /// <exception cref="ArgumentException">Bad method, colormap, class or layer.</exception>
    /// <exception cref="ImageLoadException">A photo is missing or corrupt.</exception>
    /// <exception cref="OutputException">The output folder cannot be written.</exception>
    public IReadOnlyList<ManifestEntry> Run(ExplainRequest request, IProgress<string>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Images.Count == 0) throw new ArgumentException("no images given");
        if (request.Top < 1) throw new ArgumentException($"--top must be at least 1, got {request.Top}");
        IReadOnlyList<string> methods = ExpandMethods(request.Methods);
        IColormap colormap = KnownColormaps.Get(request.Colormap);
        ITarget[] targets = request.Classes.Count > 0
            ? request.Classes.Select(c => (ITarget)new ClassTarget(Labels.Resolve(c, _model.Labels, null))).ToArray()
            : [new TopClassesTarget(request.Top)];
        string layer = request.Layer == GradCamSharp.Models.ModelLayers.Auto ? _model.DefaultLayer : request.Layer;
        var options = new CamOptions { Layer = layer };
        var explainers = methods.Where(m => m != KnownMethods.GuidedGradCam)
            .Union(methods.Contains(KnownMethods.GuidedGradCam) ? [KnownMethods.GradCam, KnownMethods.GuidedBackprop] : [])
            .ToDictionary(m => m, m => KnownMethods.Create(m, _model.Model, options));
        foreach (string image in request.Images) ImageLoader.Probe(image);

        string staging = CreateStaging(request.OutputDirectory);
        try
        {
            var entries = new List<ManifestEntry>();
            var written = new List<string>();
            for (int i = 0; i < request.Images.Count; i++)
            {
                string image = request.Images[i];
                progress?.Report($"[{i + 1}/{request.Images.Count}] {image}: {string.Join(", ", methods)}");
                entries.AddRange(ExplainOne(image, methods, explainers, targets, colormap, staging, written));
            }
            string manifest = Path.Combine(staging, ManifestName);
            File.WriteAllText(manifest, JsonSerializer.Serialize(entries, JsonOptions));
            written.Add(ManifestName);
            Publish(staging, request.OutputDirectory, written);
            return entries;
        }
        finally
        {
            TryDelete(staging);
        }
    }

    private IEnumerable<ManifestEntry> ExplainOne(string imagePath, IReadOnlyList<string> methods,
        IReadOnlyDictionary<string, IExplainer> explainers, ITarget[] targets, IColormap colormap, string staging, List<string> written)
    {
        using SKBitmap photo = ImageLoader.Load(imagePath);
        PreparedImage prepared = ImagePreprocessor.Prepare(photo, _model.Preprocessing);
        var byMethod = new Dictionary<string, IReadOnlyList<Explanation>>();
        using (DisposeScope scope = NewDisposeScope())
        {
            Tensor input = tensor(prepared.Values, [1, 3, prepared.Preprocessing.Height, prepared.Preprocessing.Width]);
            foreach ((string name, IExplainer explainer) in explainers) byMethod[name] = explainer.Explain(input, targets);
        }
        if (methods.Contains(KnownMethods.GuidedGradCam))
        {
            byMethod[KnownMethods.GuidedGradCam] = byMethod[KnownMethods.GradCam]
                .Zip(byMethod[KnownMethods.GuidedBackprop], GuidedGradCam.Combine).ToList();
        }

        string stem = Path.GetFileNameWithoutExtension(imagePath);
        var entries = new List<ManifestEntry>();
        int targetCount = byMethod[methods[0]].Count;
        for (int t = 0; t < targetCount; t++)
        {
            var tiles = new List<(SKBitmap Image, string Title, string Subtitle)>();
            Explanation first = byMethod[methods[0]][t];
            string classTag = Slug(_model.LabelOf(first.ClassIndex) ?? (first.ClassIndex is int c ? $"class{c}" : first.TargetName));
            string caption = Describe(first);
            foreach (string method in methods)
            {
                Explanation explanation = byMethod[method][t];
                Heatmap onPhoto = prepared.ToOriginal(explanation.Heatmap);
                SKBitmap picture = explanation.Attribution is Attribution pixels
                    ? Renderer.Attribution(pixels, prepared)
                    : Renderer.Overlay(photo, onPhoto, colormap);
                string file = $"{stem}_{classTag}_{method}.png";
                PngFile.Save(picture, Path.Combine(staging, file));
                written.Add(file);
                tiles.Add((picture, Title(method), caption));
                (int peakX, int peakY) = onPhoto.Peak;
                entries.Add(new ManifestEntry
                {
                    Image = imagePath,
                    Model = _model.Name,
                    Layer = explanation.Layer,
                    Method = method,
                    ClassIndex = explanation.ClassIndex,
                    ClassLabel = _model.LabelOf(explanation.ClassIndex),
                    Score = explanation.Score,
                    File = file,
                    Peak = [peakX, peakY],
                    Box = Localization.BoundingBox(onPhoto)?.ToArray(),
                });
            }
            if (methods.Count > 1)
            {
                var panelTiles = new List<PanelTile> { new(photo, "original", Path.GetFileName(imagePath)) };
                panelTiles.AddRange(tiles.Select(tile => new PanelTile(tile.Image, tile.Title, tile.Subtitle)));
                using SKBitmap panel = Panel.Compose(panelTiles);
                string file = $"{stem}_{classTag}_panel.png";
                PngFile.Save(panel, Path.Combine(staging, file));
                written.Add(file);
            }
            foreach ((SKBitmap image, _, _) in tiles) image.Dispose();
        }
        return entries;
    }

    private string Describe(Explanation explanation)
    {
        string name = _model.LabelOf(explanation.ClassIndex) ?? (explanation.ClassIndex is int c ? $"class {c}" : explanation.TargetName);
        return $"{name} ({explanation.Score:0.###})";
    }

    private static string Title(string method) => method switch
    {
        KnownMethods.GradCam => "Grad-CAM",
        KnownMethods.GuidedBackprop => "Guided Backprop",
        KnownMethods.GuidedGradCam => "Guided Grad-CAM",
        KnownMethods.Counterfactual => "Counterfactual",
        _ => method,
    };

    private static string Slug(string text)
    {
        string slug = new string(text.Select(ch => char.IsAsciiLetterOrDigit(ch) ? char.ToLowerInvariant(ch) : '-').ToArray()).Trim('-');
        while (slug.Contains("--", StringComparison.Ordinal)) slug = slug.Replace("--", "-", StringComparison.Ordinal);
        return slug.Length > 40 ? slug[..40].TrimEnd('-') : slug;
    }

    private static string CreateStaging(string outputDirectory)
    {
        try
        {
            Directory.CreateDirectory(outputDirectory);
            string staging = Path.Combine(outputDirectory, $".gradcam-staging-{Environment.ProcessId}-{Guid.NewGuid():N}");
            Directory.CreateDirectory(staging);
            return staging;
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            throw new OutputException($"cannot write to output folder '{outputDirectory}': {exception.Message}", exception);
        }
    }

    private static void Publish(string staging, string outputDirectory, IEnumerable<string> files)
    {
        try
        {
            foreach (string file in files) File.Move(Path.Combine(staging, file), Path.Combine(outputDirectory, file), overwrite: true);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            throw new OutputException($"cannot write to output folder '{outputDirectory}': {exception.Message}", exception);
        }
    }

    private static void TryDelete(string folder)
    {
        try
        {
            if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        }
        catch (IOException)
        {
            // A leftover staging folder is harmless; the original error matters more.
        }
    }
}
