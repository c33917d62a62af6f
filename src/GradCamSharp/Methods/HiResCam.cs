using GradCamSharp.Models;
using static TorchSharp.torch;

namespace GradCamSharp.Methods;

/// <summary>
/// HiResCAM (Draelos and Carin, 2020, eq. 4): the element-wise product of gradients and activations, summed over
/// channels; faithful to the model where Grad-CAM's averaging is not.
/// </summary>
public sealed class HiResCam(IExplainableModel model, CamOptions? options = null) : CamMethod(model, options)
{
    /// <inheritdoc />
    protected override string MethodName => "hirescam";

    /// <inheritdoc />
    protected override Tensor Weights(CamContext context) => context.Gradients;
}
