using GradCamSharp.Maps;
using static TorchSharp.torch;

namespace GradCamSharp.Evaluation;

/// <summary>
/// The masks of the perturbation metrics (deletion and insertion, ROAD): a map's pixels in the order it ranks them,
/// ties by position, and the first k of them chosen.
/// </summary>
internal static class PixelRanking
{
    /// <summary>[S, 1, H, W] true at the first <paramref name="counts"/>[s] pixels of the ranking.</summary>
    /// <param name="saliency">The map.</param>
    /// <param name="counts">How many pixels each mask takes.</param>
    /// <param name="highestFirst">Rank the highest values first (else the lowest).</param>
    public static Tensor FirstPixels(Heatmap saliency, IEnumerable<float> counts, bool highestFirst)
    {
        int pixels = saliency.Values.Length;
        int[] order = highestFirst
            ? [.. Enumerable.Range(0, pixels).OrderByDescending(p => saliency.Values[p])]
            : [.. Enumerable.Range(0, pixels).OrderBy(p => saliency.Values[p])];
        // rank[p] = the position of pixel p in that order.
        var rank = new float[pixels];
        for (int position = 0; position < pixels; position++) rank[order[position]] = position;
        Tensor ranks = tensor(rank).reshape(1, 1, saliency.Height, saliency.Width);
        return ranks.lt(tensor(counts.ToArray()).reshape(-1, 1, 1, 1));
    }
}
