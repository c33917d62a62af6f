using GradCamSharp.Models;
using static TorchSharp.torch;

namespace GradCamSharp.Methods;

/// <summary>
/// RandomCAM (pytorch-grad-cam's baseline for metrics): each feature map weighted by a number drawn uniformly from
/// [-1, 1]. It reads neither the gradient nor the score, so any metric it scores well on measures the layer's
/// activations or the metric itself, not the explanation: the row a table shows to say how far above chance each
/// method is. Seeded: the same call gives the same map.
/// </summary>
/// <param name="model">The model.</param>
/// <param name="options">The target layer and map options.</param>
/// <param name="seed">The seed of the weights' generator, restarted at every call.</param>
public sealed class RandomCam(IExplainableModel model, CamOptions? options = null, long seed = RandomCam.DefaultSeed)
    : CamMethod(model, options)
{
    /// <summary>The seed the registry's <c>randomcam</c> uses.</summary>
    public const long DefaultSeed = 0;

    /// <summary>The seed of the weights' generator.</summary>
    public long Seed { get; } = seed;

    /// <inheritdoc />
    protected override string MethodName => "randomcam";

    /// <inheritdoc />
    protected override bool UsesGradients => false;

    /// <inheritdoc />
    /// <returns>[N, K, 1, 1] weights uniform in [-1, 1), the same for the same seed, batch size and channels.</returns>
    protected override Tensor Weights(CamContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        using var generator = new Generator((ulong)Seed);
        long samples = context.Activations.shape[0], channels = context.Activations.shape[1];
        Tensor uniform = rand([samples, channels, 1, 1], dtype: ScalarType.Float64, generator: generator);
        return (uniform * 2 - 1).to(context.Activations.dtype);
    }
}
