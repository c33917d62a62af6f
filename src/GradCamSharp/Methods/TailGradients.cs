using GradCamSharp.Models;
using static TorchSharp.torch;

namespace GradCamSharp.Methods;

/// <summary>
/// Gradients of a score other than the pass's own, taken through the part of the model after the target layer for one
/// sample: what FinerCAM (a contrast of class scores) and ShapleyCAM (a second derivative) need, which the shared pass
/// (one first-order gradient per target's score) does not give.
/// </summary>
internal static class TailGradients
{
    /// <summary>
    /// The gradient of <paramref name="score"/> at <paramref name="layer"/>, and with <paramref name="hessian"/> the
    /// Hessian-vector product H A (the gradient's directional derivative along the activations A themselves).
    /// </summary>
    /// <param name="model">The model.</param>
    /// <param name="input">[1, C, H, W] one input.</param>
    /// <param name="layer">The resolved target layer.</param>
    /// <param name="tokens">How a token layer folds into a map, when the caller gave it.</param>
    /// <param name="score">The model's [1, ...] output to the scalar explained.</param>
    /// <param name="hessian">Whether to compute H A as well (a second backward pass through the tail).</param>
    /// <returns>[1, K, h, w] the gradient, and [1, K, h, w] H A or null; token layers as their patch tokens' map.
    /// </returns>
    public static (Tensor Gradient, Tensor? HessianTimesActivations) Of(IExplainableModel model, Tensor input,
        string layer, TokenGrid? tokens, Func<Tensor, Tensor> score, bool hessian)
    {
        using IDisposable gradientMode = enable_grad();
        ModelTail tail = ModelTail.Split(model, input, layer);
        Tensor activations = tail.LayerOutput.detach().requires_grad_(true);
        Tensor value = score(tail.Run(activations));
        Tensor? gradient = autograd.grad([value], [activations], retain_graph: hessian, create_graph: hessian,
            allow_unused: true)[0];
        if (gradient is null || gradient.IsInvalid) gradient = zeros_like(activations);
        Tensor? product = null;
        if (hessian)
        {
            // A tail that is linear in the layer (pooling and a linear head) leaves the gradient constant: H = 0.
            product = gradient.requires_grad
                ? autograd.grad([gradient], [activations], [activations.detach()], allow_unused: true)[0]
                : null;
            if (product is null || product.IsInvalid) product = zeros_like(activations);
        }
        if (activations.dim() != 3) return (gradient.detach(), product?.detach());
        TokenGrid grid = TokenGrid.Of(activations, input, layer, tokens);
        return (grid.ToMap(gradient.detach()), product is null ? null : grid.ToMap(product.detach()));
    }

    /// <summary>
    /// [N, K, 1, 1] channel weights for every sample of <paramref name="context"/>: the spatial mean of what
    /// <paramref name="weigh"/> makes of the gradient (and H A) of the score <paramref name="score"/> gives for the
    /// sample's class, negated for counterfactual maps.
    /// </summary>
    /// <param name="method">The method, for its name in errors and its options.</param>
    /// <param name="context">What the pass gives the method.</param>
    /// <param name="score">The class index and the model's [1, ...] output to the scalar explained.</param>
    /// <param name="hessian">Whether <paramref name="weigh"/> reads H A.</param>
    /// <param name="weigh">The gradient and H A to element-wise weights.</param>
    public static Tensor ChannelWeights(CamMethod method, CamContext context, Func<int, Tensor, Tensor> score,
        bool hessian, Func<Tensor, Tensor?, Tensor> weigh)
    {
        ArgumentNullException.ThrowIfNull(method);
        ArgumentNullException.ThrowIfNull(context);
        double sign = method.Options.Counterfactual ? -1 : 1;
        var weights = new List<Tensor>();
        for (int n = 0; n < context.ClassIndices.Count; n++)
        {
            int classIndex = context.ClassIndices[n] ?? throw new UsageException(
                $"{method.Name} differentiates class scores through the model's tail: use class or top-k targets");
            (Tensor gradient, Tensor? product) = Of(method.Model, context.Input[n].unsqueeze(0), context.Layer,
                method.Options.Tokens, output => score(classIndex, output) * sign, hessian);
            weights.Add(weigh(gradient, product).mean([2, 3], keepdim: true));
        }
        return cat(weights, 0).to(context.Activations.dtype);
    }
}
