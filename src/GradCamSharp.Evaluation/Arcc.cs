using GradCamSharp.Maps;

namespace GradCamSharp.Evaluation;

/// <summary>
/// ARCC (pytorch-grad-cam, with RefineCAM, 2026): the harmonic mean of three qualities of a map in [0, 1], so that
/// no one of them can make up for another. Coherency (Poppi et al., 2021): the map explains itself, (Pearson
/// correlation of the map with the same method's map of the image multiplied by it, + 1) / 2. Simplicity: 1 -
/// complexity, the map's mean magnitude (a map that lights everything up is not an explanation). Faithfulness: ROAD's
/// combined score, doubled and clipped to [0, 1]. Higher is better.
/// </summary>
public static class Arcc
{
    private const double Epsilon = 1e-8;

    /// <summary>The map's mean magnitude (0 for an empty map, 1 for a map of ones).</summary>
    public static double Complexity(Heatmap map)
    {
        ArgumentNullException.ThrowIfNull(map);
        return map.Values.Average(v => Math.Abs((double)v));
    }

    /// <summary>
    /// (Pearson correlation + 1) / 2 of <paramref name="map"/> and <paramref name="remapped"/>, the map of the image
    /// multiplied by it: 1 when the method, shown only what it pointed at, points there again.
    /// </summary>
    public static double Coherency(Heatmap map, Heatmap remapped)
    {
        ArgumentNullException.ThrowIfNull(map);
        ArgumentNullException.ThrowIfNull(remapped);
        return (RankCorrelation.Pearson(map.Values, remapped.Values) + 1) / 2;
    }

    /// <summary>
    /// 3 / (1 / coherency + 1 / (1 - complexity) + 1 / clip(2 road, 0, 1)), each term guarded by 1e-8 as
    /// pytorch-grad-cam guards it.
    /// </summary>
    /// <param name="complexity">See <see cref="Complexity"/>.</param>
    /// <param name="coherency">See <see cref="Coherency"/>.</param>
    /// <param name="road">ROAD's combined score (<see cref="RoadCurves.Combined"/>), in [-0.5, 0.5] for
    /// probabilities.</param>
    public static double Score(double complexity, double coherency, double road)
    {
        double faithful = Math.Clamp(road * 2, 0, 1);
        return 3 / (1 / (coherency + Epsilon) + 1 / (1 - complexity + Epsilon) + 1 / (faithful + Epsilon));
    }
}
