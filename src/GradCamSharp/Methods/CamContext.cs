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
    string Layer, RunOptions Run)
{
    /// <summary>The pass these rows come from (null for a context made by hand), and each row's sample in it.</summary>
    internal (PassResult Pass, IReadOnlyList<int> Samples)? Origin { get; init; }

    /// <summary>
    /// Row <paramref name="row"/>'s scores of its class over a perturbation method's inputs, [total]: computed by
    /// <paramref name="score"/> for every class the sample's targets ask in this pass, and kept, so that its other
    /// targets read theirs from the same forward passes (the perturbed inputs depend on the sample, not the target).
    /// </summary>
    /// <param name="row">The row of <see cref="ClassIndices"/>.</param>
    /// <param name="method">The method whose perturbations these are.</param>
    /// <param name="score">Given class indices, [total, classes] the scores of the perturbed inputs.</param>
    internal Tensor PerturbedScores(int row, string method, Func<IReadOnlyList<int>, Tensor> score)
    {
        int classIndex = ClassIndices[row] ?? throw new ArgumentException($"row {row} scores no class");
        return Origin is ({ } pass, { } samples)
            ? pass.Perturbed.Of(method, samples[row], classIndex, pass.SampleClasses[samples[row]], score)
            : score([classIndex]).select(1, 0);
    }
}
