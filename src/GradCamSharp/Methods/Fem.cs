using GradCamSharp.Models;
using static TorchSharp.torch;

namespace GradCamSharp.Methods;

/// <summary>
/// FEM, the Feature Explanation Method (Fuad et al., IPTA 2020): each feature map is binarised by the
/// k-sigma rule, A^k &gt; mean(A^k) + k std(A^k), and weighted by the share of positions it keeps; gradient-free and
/// class-agnostic, it shows where the layer's channels fire unusually strongly. The spread is the population standard
/// deviation over the map's positions, k = 2, as in the paper.
/// </summary>
/// <param name="model">The model.</param>
/// <param name="options">The target layer and map options.</param>
/// <param name="sigmas">k: how many standard deviations above its mean a position must be to count.</param>
public sealed class Fem(IExplainableModel model, CamOptions? options = null, double sigmas = Fem.DefaultSigmas)
    : CamMethod(model, options)
{
    /// <summary>The paper's k.</summary>
    public const double DefaultSigmas = 2;

    /// <summary>k: how many standard deviations above its mean a position must be to count.</summary>
    public double Sigmas { get; } = sigmas;

    /// <inheritdoc />
    protected override string MethodName => "fem";

    /// <inheritdoc />
    protected override bool UsesGradients => false;

    /// <inheritdoc />
    /// <returns>[N, K, 1, 1] the share of each map's positions above its threshold.</returns>
    protected override Tensor Weights(CamContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        Tensor activations = context.Activations;
        Tensor mean = activations.mean([2, 3], keepdim: true);
        Tensor spread = activations.std([2, 3], unbiased: false, keepdim: true);
        Tensor above = activations.gt(mean + Sigmas * spread).to(activations.dtype);
        return above.mean([2, 3], keepdim: true);
    }
}
