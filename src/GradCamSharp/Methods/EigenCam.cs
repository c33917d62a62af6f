using GradCamSharp.Models;
using static TorchSharp.torch;

namespace GradCamSharp.Methods;

/// <summary>
/// Eigen-CAM (Muhammad and Yeasin, IJCNN 2020, eq. 4): the projection of the activations on their first principal
/// component. Gradient-free and class-agnostic: it shows what the layer attends to, whatever the target.
/// </summary>
public sealed class EigenCam(IExplainableModel model, CamOptions? options = null) : CamMethod(model, options)
{
    /// <inheritdoc />
    protected override string MethodName => "eigencam";

    /// <inheritdoc />
    protected override bool UsesGradients => false;

    /// <inheritdoc />
    protected override Tensor Weights(CamContext context)
    {
        Tensor activations = context.Activations;
        return PrincipalDirection(activations).reshape(activations.shape[0], activations.shape[1], 1, 1);
    }

    /// <summary>
    /// The first principal direction of [N, K, h, w] maps, positions as rows and channels as columns (factorised as
    /// they are, without centring, as the paper does), oriented so that the projection agrees with their sum.
    /// </summary>
    /// <returns>[N, K] unit directions.</returns>
    internal static Tensor PrincipalDirection(Tensor maps)
    {
        Tensor positions = maps.flatten(2).transpose(1, 2);
        Tensor direction = linalg.svd(positions, fullMatrices: false).Vh[.., 0, ..];
        // A singular vector's sign is arbitrary.
        Tensor projection = positions.matmul(direction.unsqueeze(2)).squeeze(2);
        Tensor sign = projection.sum([1], keepdim: true).sign();
        sign = where(sign.eq(0), ones_like(sign), sign);
        return direction * sign;
    }
}
