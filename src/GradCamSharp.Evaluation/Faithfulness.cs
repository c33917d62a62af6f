using GradCamSharp.Maps;

namespace GradCamSharp.Evaluation;

/// <summary>
/// Faithfulness as in the Grad-CAM paper (sec. 5.2): the rank correlation between an explanation and the occlusion
/// map of the same image and class; a faithful explanation ranks regions as occluding them hurts the score.
/// </summary>
public static class Faithfulness
{
    /// <summary>
    /// Spearman correlation between <paramref name="explanation"/>, averaged over each occlusion patch, and
    /// <paramref name="occlusion"/>.
    /// </summary>
    /// <param name="explanation">A map at the model's input resolution.</param>
    /// <param name="occlusion">The map from <see cref="Occlusion.Map"/> with the same
    /// <paramref name="options"/>.</param>
    /// <param name="options">The patch and stride used.</param>
    public static double RankCorrelation(Heatmap explanation, Heatmap occlusion, OcclusionOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(explanation);
        ArgumentNullException.ThrowIfNull(occlusion);
        options ??= new OcclusionOptions();
        var pooled = new float[occlusion.Values.Length];
        for (int row = 0; row < occlusion.Height; row++)
        {
            for (int column = 0; column < occlusion.Width; column++)
            {
                int top = row * options.Stride, left = column * options.Stride;
                int bottom = Math.Min(explanation.Height, top + options.Patch),
                    right = Math.Min(explanation.Width, left + options.Patch);
                double sum = 0;
                for (int y = top; y < bottom; y++)
                    for (int x = left; x < right; x++) sum += explanation[x, y];
                pooled[row * occlusion.Width + column] = (float)(sum / Math.Max(1, (bottom - top) * (right - left)));
            }
        }
        return Evaluation.RankCorrelation.Spearman(pooled, occlusion.Values);
    }
}
