using GradCamSharp.Models;
using static TorchSharp.torch;

namespace GradCamSharp.Methods;

/// <summary>
/// EigenGrad-CAM (pytorch-grad-cam, after Eigen-CAM, Muhammad and Yeasin 2020): the projection of the
/// gradient-activation products dy/dA^k * A^k on their first principal component. Class-discriminative, as the
/// gradient enters, and smoother than Grad-CAM, as only the dominant channel direction is kept.
/// </summary>
public sealed class EigenGradCam(IExplainableModel model, CamOptions? options = null) : CamMethod(model, options)
{
    /// <inheritdoc />
    protected override string MethodName => "eigengradcam";

    /// <inheritdoc />
    /// <remarks>With v the first principal direction of the products (positions as rows), the map is
    /// sum_k v_k g_k A_k: the weights are v_k g_k.</remarks>
    protected override Tensor Weights(CamContext context)
    {
        Tensor products = context.Gradients * context.Activations;
        Tensor direction = EigenCam.PrincipalDirection(products);
        long samples = products.shape[0], channels = products.shape[1];
        return context.Gradients * direction.reshape(samples, channels, 1, 1);
    }
}
