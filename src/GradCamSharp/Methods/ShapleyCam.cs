using GradCamSharp.Models;
using static TorchSharp.torch;

namespace GradCamSharp.Methods;

/// <summary>
/// ShapleyCAM (Cai et al., 2025): the channel weights are the spatial mean of g - H A / 2, where g = dy/dA and H A
/// is the Hessian of the score with respect to the activations times the activations: the second-order Taylor
/// estimate of each channel's Shapley value, of which Grad-CAM keeps the first order. Where the model after the layer
/// is piecewise linear in it (pooling and a linear head, ReLUs), H = 0 and ShapleyCAM equals Grad-CAM; it differs where
/// the score curves (a softmax, attention, a squared term). The Hessian-vector product is computed exactly, by a second
/// backward pass through the model's tail, never formed as a matrix.
/// </summary>
public sealed class ShapleyCam(IExplainableModel model, CamOptions? options = null) : CamMethod(model, options)
{
    /// <inheritdoc />
    protected override string MethodName => "shapleycam";

    /// <inheritdoc />
    /// <remarks>Not for volumes: it runs the model again from the layer, which is written for images.</remarks>
    internal override bool ExplainsVolumes => false;

    /// <inheritdoc />
    protected override Tensor Weights(CamContext context) => TailGradients.ChannelWeights(this, context,
        (classIndex, output) => output.reshape(-1)[classIndex], hessian: true,
        (gradient, product) => gradient - 0.5 * product!);
}
