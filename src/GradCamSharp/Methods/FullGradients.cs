using static TorchSharp.torch;

namespace GradCamSharp.Methods;

/// <summary>
/// The full-gradient decomposition of a score (Srinivas and Fleuret, NeurIPS 2019): for a network that is
/// piecewise linear in its input and its biases (ReLUs, convolutions, batch normalisation in inference, pooling, linear
/// layers), f(x) = sum(grad_x f * x) + sum over layers of sum(grad_b f * b), exactly.
/// </summary>
/// <param name="Input">[N, C, H, W] the input gradient times the input.</param>
/// <param name="Layers">Each layer with a bias, and [N, C, ...] its bias times the score's gradient at the layer's
/// output (the bias-gradient, position by position).</param>
public sealed record FullGradients(Tensor Input, IReadOnlyList<(string Layer, Tensor BiasGradient)> Layers)
{
    /// <summary>[N] what the decomposition adds up to: the score itself, for a piecewise-linear network.</summary>
    public Tensor Total()
    {
        Tensor total = Input.flatten(1).sum(1);
        foreach ((_, Tensor biasGradient) in Layers) total = total + biasGradient.flatten(1).sum(1);
        return total;
    }
}
