using GradCamSharp.Models;
using static TorchSharp.torch;

namespace GradCamSharp.Methods;

/// <summary>
/// XGrad-CAM (Fu et al., BMVC 2020, eq. 9): w_k = sum_ij (A^k_ij / sum_ab A^k_ab) dy/dA^k_ij.
/// </summary>
public sealed class XGradCam(IExplainableModel model, CamOptions? options = null) : CamMethod(model, options)
{
    /// <inheritdoc />
    protected override string MethodName => "xgradcam";

    /// <inheritdoc />
    protected override Tensor Weights(CamContext context) =>
        (context.Gradients * context.Activations).sum([2, 3], keepdim: true)
        / (context.Activations.sum([2, 3], keepdim: true) + 1e-7);
}
