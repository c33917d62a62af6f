using GradCamSharp.Models;
using static TorchSharp.torch;

namespace GradCamSharp.Methods;

/// <summary>
/// Integrated Gradients (Sundararajan et al., Axiomatic Attribution for Deep Networks, ICML 2017, eq. 1 and 3): the
/// input minus a baseline, times the gradient averaged along the straight path from the baseline to the input
/// (the midpoint rule over <c>steps</c> points, batched). Complete: the attributions sum to f(input) - f(baseline), up
/// to the rule's error.
/// </summary>
/// <param name="model">The model.</param>
/// <param name="steps">Points on the path (the paper: 20 to 300).</param>
/// <param name="baseline">[1, C, H, W] the baseline; null for zeros (the mean image under ImageNet
/// normalisation).</param>
public sealed class IntegratedGradients(IExplainableModel model, int steps = 64, Tensor? baseline = null)
    : InputAttributionMethod(model)
{
    /// <inheritdoc />
    public override string Name => "integrated-gradients";

    /// <inheritdoc />
    protected override Tensor Attribute(Tensor input, int classIndex, RunOptions run)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(steps, 1);
        Tensor start = baseline ?? zeros_like(input);
        Tensor alphas = (arange(steps, dtype: input.dtype) + 0.5) / steps;
        Tensor path = start + alphas.reshape(-1, 1, 1, 1) * (input - start);
        return (input[0] - start[0]) * Gradients(path, classIndex, run).mean([0]);
    }
}
