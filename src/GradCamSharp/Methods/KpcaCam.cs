using GradCamSharp.Models;
using static TorchSharp.torch;

namespace GradCamSharp.Methods;

/// <summary>
/// KPCA-CAM (Karmani et al., 2024: Eigen-CAM with kernel PCA): the activations, positions as rows and centred
/// over them, are mapped through a kernel and the map is each position's coordinate on the first kernel principal
/// component. The default kernel is pytorch-grad-cam's, the sigmoid tanh(gamma x.y + 1) with gamma = 1 / channels
/// (scikit-learn's KernelPCA defaults); the coordinate is the centred kernel's leading eigenvector times the square
/// root of its eigenvalue, with scikit-learn's sign (the entry of largest magnitude positive). Gradient-free and
/// class-agnostic, like Eigen-CAM, but a non-linear kernel can separate what a linear projection mixes.
/// </summary>
/// <param name="model">The model.</param>
/// <param name="options">The target layer and map options.</param>
/// <param name="kernel">The kernel; <see cref="KernelPcaKernel.Sigmoid"/> by default.</param>
public sealed class KpcaCam(IExplainableModel model, CamOptions? options = null,
    KernelPcaKernel kernel = KernelPcaKernel.Sigmoid) : CamMethod(model, options)
{
    /// <summary>The kernel between positions.</summary>
    public KernelPcaKernel Kernel { get; } = kernel;

    /// <inheritdoc />
    protected override string MethodName => "kpcacam";

    /// <inheritdoc />
    protected override bool UsesGradients => false;

    /// <inheritdoc />
    /// <returns>[N, h, w] each position's coordinate on the first kernel principal component.</returns>
    protected override Tensor Map(CamContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        Tensor activations = context.Activations;
        long samples = activations.shape[0], height = activations.shape[2], width = activations.shape[3];
        // Float64: the centred kernel's eigenvalues are differences of numbers near one another.
        Tensor positions = activations.flatten(2).transpose(1, 2).to(ScalarType.Float64);
        return FirstComponent(positions - positions.mean([1], keepdim: true), Kernel)
            .to(activations.dtype).reshape(samples, height, width);
    }

    /// <summary>
    /// Each row's coordinate on the first kernel principal component of [N, P, K] centred rows.
    /// </summary>
    /// <returns>[N, P] coordinates.</returns>
    internal static Tensor FirstComponent(Tensor rows, KernelPcaKernel kernel)
    {
        long count = rows.shape[1];
        Tensor products = rows.matmul(rows.transpose(1, 2));
        Tensor gram = kernel switch
        {
            KernelPcaKernel.Linear => products,
            KernelPcaKernel.Sigmoid => (products / rows.shape[2] + 1).tanh(),
            _ => throw new ArgumentOutOfRangeException(nameof(kernel), kernel, "unknown kernel"),
        };
        // Centring in the feature space: K - 1K - K1 + 1K1, with 1 the P x P matrix of 1/P.
        Tensor rowMeans = gram.mean([2], keepdim: true), columnMeans = gram.mean([1], keepdim: true);
        Tensor centred = gram - rowMeans - columnMeans + gram.mean([1, 2], keepdim: true);
        (Tensor values, Tensor vectors) = linalg.eigh(centred);
        Tensor leading = vectors[.., .., count - 1];
        Tensor largest = leading.abs().argmax(1, keepdim: true);
        Tensor sign = leading.gather(1, largest).sign();
        sign = where(sign.eq(0), ones_like(sign), sign);
        return leading * sign * values[.., (int)(count - 1)..].clamp_min(0).sqrt();
    }
}
