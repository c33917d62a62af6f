using TorchSharp;

namespace GradCamSharp.Models;

/// <summary>
/// A differentiable image model whose intermediate values can be tapped by name. Implemented for TorchSharp modules
/// (<see cref="TorchModuleModel"/>) and for imported ONNX graphs. Disposing a model releases what it owns.
/// </summary>
public interface IExplainableModel : IDisposable
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

    /// <summary>
    /// What produces the layer called <paramref name="layer"/> (a module type, an ONNX operator), or "".
    /// </summary>
    string KindOf(string layer) => "";

    /// <summary>
    /// The name in <see cref="LayerNames"/> that <paramref name="requested"/> means, or null: the exact name by
    /// default; models may also accept other spellings (an ONNX graph takes module paths such as <c>layer4</c>).
    /// </summary>
    string? FindLayer(string requested) => LayerNames.Contains(requested, StringComparer.Ordinal) ? requested : null;

    /// <summary>
    /// Up to <paramref name="count"/> names to suggest when <paramref name="requested"/> is not a layer.
    /// </summary>
    IReadOnlyList<string> SuggestLayers(string requested, int count) =>
        LayerSuggestions.Closest(requested, LayerNames, count);

    /// <summary>
    /// Runs the model on one <paramref name="input"/> up to <paramref name="layer"/> and returns a tail that runs only
    /// the rest, or null where the model cannot run its tail alone (callers then use <see cref="ModelTail.Split"/>,
    /// which falls back to whole forward passes with the layer's output replaced).
    /// </summary>
    /// <param name="input">[1, C, H, W] one input.</param>
    /// <param name="layer">A name from <see cref="LayerNames"/>.</param>
    ModelTail? SplitAt(torch.Tensor input, string layer) => null;

    /// <summary>
    /// Why the methods that change how gradients pass ReLUs (Guided Backprop, Guided Grad-CAM, the Deconvnet) have
    /// nothing to act on in this model, which has no ReLU (a transformer's GELUs, an EfficientNet's SiLUs), or null
    /// when it has ReLUs. A run finds the same at its first forward pass and refuses (see
    /// <see cref="ForwardTaps.ReluMet"/>); this says it beforehand, so that a command running every method can skip
    /// them with a note.
    /// </summary>
    string? ReluObstacle => null;

    /// <summary>
    /// Every layer that adds a bias (a convolution's, a batch normalisation's effective beta - mean gamma / sigma, a
    /// linear layer's), with the bias added along its output's dimension 1: what FullGrad's decomposition reads,
    /// through <see cref="ForwardTaps.ReplaceEveryLayerOutput"/>. Empty where the model cannot list them. Computed at
    /// each call: the tensors belong to the caller's dispose scope.
    /// </summary>
    IReadOnlyList<LayerBias> LayerBiases() => [];

    /// <summary>
    /// The layers whose values are a transformer's attention probabilities (a Softmax over keys that weights the
    /// values, <c>[N, heads, T, T]</c> or <c>[N * heads, T, T]</c>), in execution order: what attention rollout and
    /// attention relevance read. Empty where the model has none or cannot tell (an imported ONNX graph finds them from
    /// its operators).
    /// </summary>
    IReadOnlyList<string> AttentionLayers => [];

    /// <summary>
    /// The layer <see cref="ModelLayers.Auto"/> means where the model itself knows better than the rules for CNNs,
    /// segmenters and transformers (a detector's backbone output, before its heads); null to follow the rules.
    /// </summary>
    string? AutomaticLayer => null;

    /// <summary>
    /// Why the deconvnet's ReLU rule cannot run on this model (it needs each ReLU's input, so every ReLU must be one
    /// the model can intercept), or null when it can.
    /// </summary>
    string? DeconvnetObstacle => null;

    /// <summary>
    /// Throws a <see cref="UsageException"/> saying what was expected when <paramref name="input"/> cannot fit.
    /// </summary>
    void ValidateInput(torch.Tensor input) { }

    /// <summary>
    /// The input's shape as the model declares it, batch first, 0 or less where a dimension is free; null where it
    /// declares none (what <c>gradcam layers</c> probes a volume model with).
    /// </summary>
    long[]? DeclaredInputShape => null;
}
