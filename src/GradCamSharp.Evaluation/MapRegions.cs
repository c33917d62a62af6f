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
        return Share(map.Values, Pixels(map, region));
    }

    /// <summary>
    /// The share of the total non-negative mass of <paramref name="values"/> at the indices where
    /// <paramref name="region"/> holds: a map in any layout (a volume map's voxels, an object's exact voxels).
    /// </summary>
    public static double Share(ReadOnlySpan<float> values, Func<int, bool> region)
    {
        ArgumentNullException.ThrowIfNull(region);
        double total = 0, inside = 0;
        for (int i = 0; i < values.Length; i++)
        {
            double v = Math.Max(0, values[i]);
            total += v;
            if (region(i)) inside += v;
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
        return Means(map.Values, Pixels(map, region));
    }

    /// <summary>
    /// The mean of <paramref name="values"/> at the indices where <paramref name="region"/> holds and the mean
    /// elsewhere, for a map in any layout. Zero for an empty part.
    /// </summary>
    public static (double Inside, double Outside) Means(ReadOnlySpan<float> values, Func<int, bool> region)
    {
        ArgumentNullException.ThrowIfNull(region);
        double inside = 0, outside = 0;
        long insideCount = 0, outsideCount = 0;
        for (int i = 0; i < values.Length; i++)
        {
            if (region(i))
            {
                inside += values[i];
                insideCount++;
            }
            else
            {
                outside += values[i];
                outsideCount++;
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

    /// <summary>A pixel region of <paramref name="map"/> by index into its row-major values.</summary>
    private static Func<int, bool> Pixels(Heatmap map, Func<int, int, bool> region) =>
        i => region(i % map.Width, i / map.Width);
}
