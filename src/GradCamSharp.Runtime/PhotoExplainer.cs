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
/// Explains photos held in memory with a fixed set of methods and targets and draws the results: what the command
/// line writes to files and the web demo sends to the browser.
/// </summary>
public sealed class PhotoExplainer
{
    private readonly LoadedModel _model;
    private readonly IReadOnlyList<string> _methods;
    private readonly IColormap _colormap;
    private readonly ITarget[] _targets;
    private readonly Dictionary<string, IExplainer> _explainers;

    /// <summary>Prepares the methods of <paramref name="request"/> (its images and output folder are not used).</summary>
    /// <exception cref="ArgumentException">Bad method, colormap, class or top count.</exception>
    public PhotoExplainer(LoadedModel model, ExplainRequest request)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(request);
        if (request.Top < 1) throw new ArgumentException($"--top must be at least 1, got {request.Top}");
        _model = model;
        _methods = ExplainPipeline.ExpandMethods(request.Methods);
        _colormap = KnownColormaps.Get(request.Colormap);
        _targets = request.Classes.Count > 0
            ? request.Classes.Select(c => (ITarget)new ClassTarget(Labels.Resolve(c, model.Labels, null))).ToArray()
            : [new TopClassesTarget(request.Top)];
        string layer = request.Layer == GradCamSharp.Models.ModelLayers.Auto ? model.DefaultLayer : request.Layer;
        var options = new CamOptions { Layer = layer };
        // Guided Grad-CAM is drawn from the Grad-CAM and Guided Backprop results when those are asked for too.
        bool composeGuidedGradCam = _methods.Contains(KnownMethods.GuidedGradCam)
            && _methods.Contains(KnownMethods.GradCam) && _methods.Contains(KnownMethods.GuidedBackprop);
        _explainers = _methods.Where(m => !(composeGuidedGradCam && m == KnownMethods.GuidedGradCam))
            .ToDictionary(m => m, m => KnownMethods.Create(m, model.Model, options));
    }

    /// <summary>The methods, in the order maps are returned.</summary>
    public IReadOnlyList<string> Methods => _methods;

    /// <summary>Explains <paramref name="photo"/>; the caller disposes the returned targets.</summary>
    /// <param name="photo">An upright RGBA photo.</param>
    /// <param name="name">Its name, for the panel caption.</param>
    public IReadOnlyList<RenderedTarget> Explain(SKBitmap photo, string name)
    {
        ArgumentNullException.ThrowIfNull(photo);
        PreparedImage prepared = ImagePreprocessor.Prepare(photo, _model.Preprocessing);
        var byMethod = new Dictionary<string, IReadOnlyList<Explanation>>();
        using (DisposeScope scope = NewDisposeScope())
        {
            Tensor input = tensor(prepared.Values, [1, 3, prepared.Preprocessing.Height, prepared.Preprocessing.Width]);
            foreach ((string method, IExplainer explainer) in _explainers) byMethod[method] = explainer.Explain(input, _targets);
        }
        if (!byMethod.ContainsKey(KnownMethods.GuidedGradCam) && _methods.Contains(KnownMethods.GuidedGradCam))
        {
            byMethod[KnownMethods.GuidedGradCam] = byMethod[KnownMethods.GradCam]
                .Zip(byMethod[KnownMethods.GuidedBackprop], GuidedGradCam.Combine).ToList();
        }

        var targets = new List<RenderedTarget>();
        for (int t = 0; t < byMethod[_methods[0]].Count; t++)
        {
            Explanation first = byMethod[_methods[0]][t];
            string? label = _model.LabelOf(first.ClassIndex);
            string caption = $"{label ?? (first.ClassIndex is int c ? $"class {c}" : first.TargetName)} ({first.Score:0.###})";
            var maps = _methods.Select(method => Render(method, byMethod[method][t], photo, prepared)).ToList();
            SKBitmap? panel = null;
            if (maps.Count > 1)
            {
                panel = Panel.Compose([new PanelTile(photo, "original", name), .. maps.Select(m => new PanelTile(m.Picture, Title(m.Method), caption))]);
            }
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

    private RenderedMap Render(string method, Explanation explanation, SKBitmap photo, PreparedImage prepared)
    {
        Heatmap onPhoto = prepared.ToOriginal(explanation.Heatmap);
        SKBitmap picture = explanation.Attribution is Attribution pixels
            ? Renderer.Attribution(pixels, prepared)
            : Renderer.Overlay(photo, onPhoto, _colormap);
        (int x, int y) = onPhoto.Peak;
        return new RenderedMap(method, explanation, picture, [x, y], Localization.BoundingBox(onPhoto)?.ToArray());
    }

    /// <summary>The display name of a method, as in the paper's figures.</summary>
    public static string Title(string method) => method switch
    {
        KnownMethods.GradCam => "Grad-CAM",
        KnownMethods.GuidedBackprop => "Guided Backprop",
        KnownMethods.GuidedGradCam => "Guided Grad-CAM",
        KnownMethods.Counterfactual => "Counterfactual",
        "gradcam++" => "Grad-CAM++",
        "xgradcam" => "XGrad-CAM",
        "hirescam" => "HiResCAM",
        "layercam" => "LayerCAM",
        "eigencam" => "Eigen-CAM",
        "scorecam" => "Score-CAM",
        _ => method,
    };

    private static string Slug(string text)
    {
        string slug = new string(text.Select(ch => char.IsAsciiLetterOrDigit(ch) ? char.ToLowerInvariant(ch) : '-').ToArray()).Trim('-');
        while (slug.Contains("--", StringComparison.Ordinal)) slug = slug.Replace("--", "-", StringComparison.Ordinal);
        return slug.Length > 40 ? slug[..40].TrimEnd('-') : slug;
    }
}
