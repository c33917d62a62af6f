using GradCamSharp.Maps;

namespace GradCamSharp.VisionLanguage.Evaluation;

/// <summary>Where a map puts its weight with respect to one object's box.</summary>
public static class MapPlacement
{
    /// <summary>The pointing game: whether the map's maximum lies inside <paramref name="box"/>.</summary>
    public static bool Hits(Heatmap map, Box box)
    {
        ArgumentNullException.ThrowIfNull(map);
        (int x, int y) = map.Peak;
        return box.Contains(x + 0.5, y + 0.5);
    }

    /// <summary>
    /// The map's mean inside <paramref name="box"/> and its mean outside: the parts of the paper's caption metric
    /// (mean inside over mean outside, 3.27 for Grad-CAM on COCO). Zero for an empty region.
    /// </summary>
    public static (double Inside, double Outside) Means(Heatmap map, Box box)
    {
        ArgumentNullException.ThrowIfNull(map);
        double inside = 0, outside = 0;
        long insideCount = 0, outsideCount = 0;
        for (int y = 0; y < map.Height; y++)
        {
            for (int x = 0; x < map.Width; x++)
            {
                float value = map[x, y];
                if (box.Contains(x + 0.5, y + 0.5)) { inside += value; insideCount++; }
                else { outside += value; outsideCount++; }
            }
        }
        return (insideCount == 0 ? 0 : inside / insideCount, outsideCount == 0 ? 0 : outside / outsideCount);
    }
}
