using GradCamSharp.Models;

namespace GradCamSharp.Methods;

/// <summary>Every explanation method by its command-line name.</summary>
public static class KnownMethods
{
    /// <summary>Grad-CAM.</summary>
    public const string GradCam = "gradcam";

    /// <summary>Guided Backpropagation.</summary>
    public const string GuidedBackprop = "guided-backprop";

    /// <summary>Guided Grad-CAM.</summary>
    public const string GuidedGradCam = "guided-gradcam";

    /// <summary>Grad-CAM with negated gradients.</summary>
    public const string Counterfactual = "counterfactual";

    /// <summary>The four maps of the Grad-CAM paper, in the order its figures show them.</summary>
    public static IReadOnlyList<string> Paper { get; } = [GradCam, GuidedBackprop, GuidedGradCam, Counterfactual];

    private static readonly Dictionary<string, Func<IExplainableModel, CamOptions, IExplainer>> Factories = new(StringComparer.OrdinalIgnoreCase)
    {
        [GradCam] = (model, options) => new GradCam(model, options),
        [GuidedBackprop] = (model, _) => new GuidedBackprop(model),
        [GuidedGradCam] = (model, options) => new GuidedGradCam(model, options),
        [Counterfactual] = (model, options) => new GradCam(model, options with { Counterfactual = true }),
        ["gradcam++"] = (model, options) => new GradCamPlusPlus(model, options),
        ["xgradcam"] = (model, options) => new XGradCam(model, options),
        ["hirescam"] = (model, options) => new HiResCam(model, options),
        ["layercam"] = (model, options) => new LayerCam(model, options),
        ["eigencam"] = (model, options) => new EigenCam(model, options),
        ["scorecam"] = (model, options) => new ScoreCam(model, options),
    };

    /// <summary>Every method name.</summary>
    public static IReadOnlyCollection<string> Names => Factories.Keys;

    /// <summary>Creates the method called <paramref name="name"/> for <paramref name="model"/>.</summary>
    /// <exception cref="ArgumentException">Unknown name.</exception>
    public static IExplainer Create(string name, IExplainableModel model, CamOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (!Factories.TryGetValue(name, out Func<IExplainableModel, CamOptions, IExplainer>? create))
            throw new ArgumentException($"unknown method '{name}'; known: {string.Join(", ", Names)}, all", nameof(name));
        return create(model, options ?? new CamOptions());
    }
}
