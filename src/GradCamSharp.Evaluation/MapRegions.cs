using GradCamSharp.Maps;

namespace GradCamSharp.Evaluation;

/// <summary>
/// Where a map puts its weight with respect to a region: the one place that computes the figures every task compares
/// (a classifier's object box, a caption word's object, a character's columns on a text line). A pixel belongs to a
/// region when its centre does (see <see cref="Area"/>).
/// </summary>
public static class MapRegions
{
    /// <summary>The share of the map's total non-negative mass where <paramref name="region"/> holds.</summary>
    public static double Share(Heatmap map, Func<int, int, bool> region)
    {
        ArgumentNullException.ThrowIfNull(map);
        ArgumentNullException.ThrowIfNull(region);
        double total = 0, inside = 0;
        for (int y = 0; y < map.Height; y++)
        {
            for (int x = 0; x < map.Width; x++)
            {
                double v = Math.Max(0, map[x, y]);
                total += v;
                if (region(x, y)) inside += v;
            }
        }
        return total > 0 ? inside / total : 0;
    }

    /// <summary>The share of the map's total non-negative mass inside <paramref name="area"/>.</summary>
    public static double Share(Heatmap map, Area area) => Share(map, area.ContainsPixel);

    /// <summary>
    /// The map's mean inside <paramref name="area"/> and its mean outside: the parts of the paper's caption metric
    /// (mean inside over mean outside, 3.27 for Grad-CAM on COCO). Zero for an empty part.
    /// </summary>
    public static (double Inside, double Outside) Means(Heatmap map, Area area) => Means(map, area.ContainsPixel);

    /// <summary>
    /// The map's mean where <paramref name="region"/> holds (an object's exact mask) and its mean elsewhere. Zero for
    /// an empty part.
    /// </summary>
    public static (double Inside, double Outside) Means(Heatmap map, Func<int, int, bool> region)
    {
        ArgumentNullException.ThrowIfNull(map);
        ArgumentNullException.ThrowIfNull(region);
        double inside = 0, outside = 0;
        long insideCount = 0, outsideCount = 0;
        for (int y = 0; y < map.Height; y++)
        {
            for (int x = 0; x < map.Width; x++)
            {
                float value = map[x, y];
                if (region(x, y))
                {
                    inside += value;
                    insideCount++;
                }
                else
                {
                    outside += value;
                    outsideCount++;
                }
            }
        }
        return (insideCount == 0 ? 0 : inside / insideCount, outsideCount == 0 ? 0 : outside / outsideCount);
    }

    /// <summary>
    /// <see cref="Means(Heatmap, Area)"/> as one ratio, inside over outside, the outside mean taken as at least
    /// <paramref name="floor"/> so that a map that is zero outside stays finite.
    /// </summary>
    public static double InsideOverOutside(Heatmap map, Area area, double floor = 1e-6)
    {
        (double inside, double outside) = Means(map, area);
        return inside / Math.Max(outside, floor);
    }
}
