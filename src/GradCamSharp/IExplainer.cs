using GradCamSharp.Targets;
using static TorchSharp.torch;

namespace GradCamSharp;

/// <summary>An explanation method: Grad-CAM and its relatives, Guided Backprop, Guided Grad-CAM.</summary>
public interface IExplainer
{
    /// <summary>The method's name in manifests and on the command line, e.g. "gradcam".</summary>
    string Name { get; }

    /// <summary>Explains a batch, each sample with its own targets, from one forward pass.</summary>
    /// <param name="input">[N, C, H, W] model input.</param>
    /// <param name="targetsPerSample">N lists of targets; an empty list means the top-1 class.</param>
    /// <returns>Explanations ordered by sample, then by target.</returns>
    IReadOnlyList<Explanation> Explain(Tensor input, IReadOnlyList<IReadOnlyList<ITarget>> targetsPerSample);
}

/// <summary>Conveniences over <see cref="IExplainer"/>.</summary>
public static class ExplainerExtensions
{
    /// <summary>Explains every sample of <paramref name="input"/> for the same targets (the top-1 class if none).</summary>
    public static IReadOnlyList<Explanation> Explain(this IExplainer explainer, Tensor input, params ITarget[] targets)
    {
        ArgumentNullException.ThrowIfNull(explainer);
        ArgumentNullException.ThrowIfNull(input);
        IReadOnlyList<ITarget> shared = targets;
        return explainer.Explain(input, Enumerable.Repeat(shared, (int)input.shape[0]).ToArray());
    }
}
