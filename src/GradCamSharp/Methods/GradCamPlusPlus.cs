using GradCamSharp.Models;
using static TorchSharp.torch;

namespace GradCamSharp.Methods;

/// <summary>
/// Grad-CAM++ (Chattopadhay et al., WACV 2018, eq. 19 with the exponential score): w_k = sum_ij a^kc_ij relu(g_ij),
/// a_ij = g^2 / (2 g^2 + sum_ab A_ab g^3).
/// </summary>
public sealed class GradCamPlusPlus(IExplainableModel model, CamOptions? options = null) : CamMethod(model, options)
{
    /// <inheritdoc />
    protected override string MethodName => "gradcam++";

    /// <inheritdoc />
    protected override Tensor Weights(CamContext context)
    {
        Tensor g = context.Gradients;
        Tensor g2 = g.square();
        Tensor denominator = 2 * g2 + context.Activations.sum([2, 3], keepdim: true) * g2 * g;
        // Guard only the exact zeros: an additive epsilon would bias small gradients, which are the usual case.
        Tensor alpha = where(denominator.ne(0), g2 / denominator, zeros_like(g));
        return (alpha * g.relu()).sum([2, 3], keepdim: true);
    }
}
