using GradCamSharp.Maps;
using GradCamSharp.Models;
using GradCamSharp.Targets;
using TorchSharp;
using static TorchSharp.torch;

namespace GradCamSharp.Evaluation;

/// <summary>
/// The deletion and insertion metrics (Petsiuk et al., RISE, BMVC 2018): remove (or restore) pixels in the order a
/// map ranks them and watch the target score. Removed pixels take a baseline value (0: the mean colour of a
/// normalised input).
/// </summary>
public static class DeletionInsertion
{
    /// <summary>
    /// Computes both curves in <paramref name="steps"/> equal steps, each curve in one batched forward pass.
    /// </summary>
    /// <param name="model">The model.</param>
    /// <param name="input">[1, C, H, W] one image.</param>
    /// <param name="target">The score to watch (its first column, for the original's class).</param>
    /// <param name="saliency">An [H, W] map at the input's resolution.</param>
    /// <param name="steps">How many steps from no pixel to all pixels.</param>
    /// <param name="baseline">The value removed pixels take.</param>
    public static DeletionInsertionCurves Compute(IExplainableModel model, Tensor input, ITarget target,
        Heatmap saliency, int steps = 16, float baseline = 0f)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(saliency);
        if (input.dim() != 4 || input.shape[0] != 1)
            throw new ArgumentException("deletion and insertion take one [1, C, H, W] image");
        if (saliency.Width != input.shape[3] || saliency.Height != input.shape[2])
            throw new ArgumentException($"the map is {saliency.Width}x{saliency.Height}, the input " +
                $"{input.shape[3]}x{input.shape[2]}");
        ArgumentOutOfRangeException.ThrowIfLessThan(steps, 2);

        using DisposeScope scope = NewDisposeScope();
        using IDisposable state = model.BeginExplanation();
        using var noGrad = no_grad();
        var scorer = new PerturbationScorer(model, input, target);

        int pixels = saliency.Values.Length;
        Tensor chosen = PixelRanking.FirstPixels(saliency,      // [steps + 1, 1, H, W]: the first k pixels
            Enumerable.Range(0, steps + 1).Select(s => (float)Math.Round((double)s * pixels / steps)),
            highestFirst: true).to(input.dtype);
        Tensor image = input.expand(steps + 1, -1, -1, -1);
        Tensor deleted = image * (1 - chosen) + baseline * chosen;
        Tensor inserted = image * chosen + baseline * (1 - chosen);
        return new DeletionInsertionCurves(scorer.Score(deleted), scorer.Score(inserted));
    }
}
