using GradCamSharp.Methods;
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
    /// <param name="run">Batching, memory, progress and cancellation of the methods that score perturbed inputs; the
    /// defaults when null.</param>
    /// <returns>Explanations ordered by sample, then by target.</returns>
    /// <exception cref="UsageException">A target or layer that does not fit the model or the method.</exception>
    /// <exception cref="OperationCanceledException">Cancelled between batches.</exception>
    IReadOnlyList<Explanation> Explain(Tensor input, IReadOnlyList<IReadOnlyList<ITarget>> targetsPerSample,
        RunOptions? run = null);
}
