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
        long samples = activations.shape[0], channels = activations.shape[1];
        // Rows are positions, columns channels; the first right singular vector is the principal channel direction
        // (the paper factorises the activations as they are, without centring them).
        Tensor positions = activations.flatten(2).transpose(1, 2);
        Tensor direction = linalg.svd(positions, fullMatrices: false).Vh[.., 0, ..];
        // A singular vector's sign is arbitrary: orient it so that the projection agrees with the activations' mean.
        Tensor projection = positions.matmul(direction.unsqueeze(2)).squeeze(2);
        Tensor sign = projection.sum([1], keepdim: true).sign();
        sign = where(sign.eq(0), ones_like(sign), sign);
        return (direction * sign).reshape(samples, channels, 1, 1);
    }
}
