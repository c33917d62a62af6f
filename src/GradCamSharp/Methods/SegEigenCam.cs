using GradCamSharp.Models;
using static TorchSharp.torch;

namespace GradCamSharp.Methods;

/// <summary>
/// Seg-Eigen-CAM (Chung and Ying, Applied Sciences 2025, eq. 10-13): the element-wise products |dy/dA^k| A^k, positions
/// as rows, centred over the positions and projected on their first principal direction; the projection's sign,
/// arbitrary in an SVD, is chosen so that its largest magnitude is positive (eq. 13). Gradient-weighted like
/// EigenGrad-CAM, but with the gradient's magnitude, so that channels that lower the score still mark where the
/// evidence is (made for segmentation, where a region's pixels pull in both directions).
/// </summary>
public sealed class SegEigenCam(IExplainableModel model, CamOptions? options = null) : CamMethod(model, options)
{
    /// <inheritdoc />
    protected override string MethodName => "segeigencam";

    /// <inheritdoc />
    /// <returns>[N, h, w] the signed-corrected projections.</returns>
    protected override Tensor Map(CamContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        Tensor weighted = context.Gradients.abs() * context.Activations;
        long samples = weighted.shape[0], height = weighted.shape[2], width = weighted.shape[3];
        Tensor positions = weighted.flatten(2).transpose(1, 2);
        Tensor centred = positions - positions.mean([1], keepdim: true);
        Tensor direction = linalg.svd(centred, fullMatrices: false).Vh[.., 0, ..];
        Tensor projection = centred.matmul(direction.unsqueeze(2)).squeeze(2);
        Tensor flip = projection.amin([1], keepdim: true).abs().gt(projection.amax([1], keepdim: true).abs());
        projection = where(flip, projection.neg(), projection);
        return projection.reshape(samples, height, width);
    }
}
