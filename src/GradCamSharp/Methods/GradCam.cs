using GradCamSharp.Models;
using static TorchSharp.torch;

namespace GradCamSharp.Methods;

/// <summary>
/// Grad-CAM (Selvaraju et al., ICCV 2017, eq. 1): alpha_k = (1/Z) sum_ij dy^c/dA^k_ij, the gradients' spatial mean.
/// </summary>
public sealed class GradCam(IExplainableModel model, CamOptions? options = null) : CamMethod(model, options)
{
    /// <inheritdoc />
    protected override string MethodName => "gradcam";

    /// <inheritdoc />
    protected override Tensor Weights(CamContext context) => context.Gradients.mean([2, 3], keepdim: true);
}
