using GradCamSharp.Models;
using static TorchSharp.torch;

namespace GradCamSharp.Methods;

/// <summary>
/// Element-wise Grad-CAM (pytorch-grad-cam's GradCAMElementWise, after HiResCAM, Draelos and Carin 2020): the positive
/// part of each gradient-activation product, summed over channels, L = sum_k ReLU(dy/dA^k * A^k). Unlike HiResCAM, a
/// channel that lowers the score at a position cannot cancel one that raises it there.
/// </summary>
public sealed class GradCamElementWise(IExplainableModel model, CamOptions? options = null)
    : CamMethod(model, options)
{
    /// <inheritdoc />
    protected override string MethodName => "gradcam-elementwise";

    /// <inheritdoc />
    /// <remarks>The gradient where its product with the activation is positive, zero elsewhere: weighted and summed
    /// by the shared machinery, that is sum_k ReLU(g_k A_k).</remarks>
    protected override Tensor Weights(CamContext context) =>
        context.Gradients * (context.Gradients * context.Activations).gt(0).to(context.Gradients.dtype);
}
