using GradCamSharp.Maps;
using GradCamSharp.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace GradCamSharp.Evaluation;

/// <summary>
/// ROAD, Remove And Debias (Rong et al., ICML 2022): the class probability's change when a share of the input's
/// pixels, the most relevant first (MoRF) or the least relevant first (LeRF), is removed and filled by
/// <see cref="NoisyLinearImputation"/>. A faithful map makes MoRF fall steeply (lower is better) and LeRF stay near
/// zero (higher is better); pytorch-grad-cam's combined score, (LeRF - MoRF) / 2 averaged over the shares, is higher
/// for better maps. Shares are of pixels by rank (ties by position), so that a map with many equal values removes
/// exactly the share asked for.
/// </summary>
public static class Road
{
    /// <summary>The shares removed: 10%, 20%, ..., 90%, as pytorch-grad-cam's ROADCombined.</summary>
    public static IReadOnlyList<double> DefaultShares { get; } = [.. Enumerable.Range(1, 9).Select(k => k / 10.0)];

    /// <summary>
    /// The probability changes of <paramref name="classIndex"/> with each share removed, most and least relevant
    /// first: all the imputations of one image in one solve, all their scores in one batched forward pass.
    /// </summary>
    /// <param name="model">A classifier.</param>
    /// <param name="input">[1, C, H, W] one image.</param>
    /// <param name="classIndex">The class whose probability is watched.</param>
    /// <param name="saliency">An [H, W] map at the input's resolution.</param>
    /// <param name="shares">The shares removed, each in (0, 1); <see cref="DefaultShares"/> if null.</param>
    /// <param name="seed">The imputation noise's seed.</param>
    /// <param name="noise">The imputation noise's standard deviation, in input units.</param>
    public static RoadCurves Compute(IExplainableModel model, Tensor input, int classIndex, Heatmap saliency,
        IReadOnlyList<double>? shares = null, long seed = 0, double noise = NoisyLinearImputation.DefaultNoise)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(saliency);
        if (input.dim() != 4 || input.shape[0] != 1)
            throw new ArgumentException("ROAD takes one [1, C, H, W] image");
        if (saliency.Width != input.shape[3] || saliency.Height != input.shape[2])
            throw new ArgumentException($"the map is {saliency.Width}x{saliency.Height}, the input " +
                $"{input.shape[3]}x{input.shape[2]}");
        shares ??= DefaultShares;
        if (shares.Count == 0 || shares.Any(s => !(s > 0 && s < 1)))
            throw new ArgumentOutOfRangeException(nameof(shares), "each share must lie strictly between 0 and 1");
        using DisposeScope scope = NewDisposeScope();
        using IDisposable state = model.BeginExplanation();
        using var noGrad = no_grad();
        Tensor removed = cat([Masks(saliency, shares, mostRelevantFirst: true),
            Masks(saliency, shares, mostRelevantFirst: false)], 0);
        Tensor imputed = NoisyLinearImputation.Impute(input.expand(removed.shape[0], -1, -1, -1), removed, noise, seed);
        double[] probabilities = [.. model.Forward(cat([input, imputed], 0), ForwardTaps.None).softmax(1)[..,
            classIndex].to(ScalarType.Float64).data<double>()];
        double original = probabilities[0];
        double[] changes = [.. probabilities.Skip(1).Select(p => p - original)];
        return new RoadCurves([.. shares], changes[..shares.Count], changes[shares.Count..], original);
    }

    /// <summary>[S, 1, H, W] masks removing each share of pixels, the highest (or lowest) ranked first.</summary>
    public static Tensor Masks(Heatmap saliency, IReadOnlyList<double> shares, bool mostRelevantFirst)
    {
        ArgumentNullException.ThrowIfNull(saliency);
        ArgumentNullException.ThrowIfNull(shares);
        int pixels = saliency.Values.Length;
        return PixelRanking.FirstPixels(saliency, shares.Select(s => (float)Math.Round(s * pixels)), mostRelevantFirst)
            .to(ScalarType.Float32);
    }
}
