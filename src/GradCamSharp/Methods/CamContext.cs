using static TorchSharp.torch;

namespace GradCamSharp.Methods;

/// <summary>What a CAM method's weighting sees for one score column.</summary>
/// <param name="Activations">[N, K, h, w] the target layer's feature maps A^k.</param>
/// <param name="Gradients">[N, K, h, w] dy/dA^k (negated for counterfactual maps; zeros for gradient-free
/// methods).</param>
/// <param name="Input">[N, C, H, W] the model input of these samples.</param>
/// <param name="ClassIndices">The class each sample's score belongs to, where the target is a class.</param>
/// <param name="Layer">The target layer's name (for methods that re-run the model from it).</param>
/// <param name="Run">The run's batching, memory, progress and cancellation (for methods that score perturbed
/// inputs).</param>
public sealed record CamContext(Tensor Activations, Tensor Gradients, Tensor Input, IReadOnlyList<int?> ClassIndices,
    string Layer, RunOptions Run);
