using TorchSharp;

namespace GradCamSharp.Models;

/// <summary>
/// A differentiable image model whose intermediate values can be tapped by name. Implemented for TorchSharp modules
/// (<see cref="TorchModuleModel"/>) and for imported ONNX graphs.
/// </summary>
public interface IExplainableModel
{
    /// <summary>A short name for manifests and messages.</summary>
    string Name { get; }

    /// <summary>Every name that <see cref="ForwardTaps.Layer"/> accepts, in execution order where known.</summary>
    IReadOnlyList<string> LayerNames { get; }

    /// <summary>Runs the model on <paramref name="input"/>, applying <paramref name="taps"/> on the way.</summary>
    /// <param name="input">[N, C, H, W] model input.</param>
    /// <param name="taps">What to capture or replace during this pass.</param>
    /// <returns>The model output, typically [N, classes] logits.</returns>
    torch.Tensor Forward(torch.Tensor input, ForwardTaps taps);

    /// <summary>
    /// Puts the model into the state explanations need (inference mode, no parameter gradients) and returns a
    /// handle whose disposal restores every flag exactly as it was.
    /// </summary>
    IDisposable BeginExplanation();
}
