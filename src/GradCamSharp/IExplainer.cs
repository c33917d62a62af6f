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
