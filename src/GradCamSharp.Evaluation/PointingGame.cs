using GradCamSharp.Maps;

namespace GradCamSharp.Evaluation;

/// <summary>
/// The pointing game (Zhang et al. 2016, used in Grad-CAM sec. 4.1 / 7): a hit when the centre of the map's maximum
/// falls inside the region of the target, with a slack each task states (the classifier's boxes
/// <see cref="Tolerance"/> pixels, a caption word's object none, a character's columns a quarter of their width).
/// </summary>
public static class PointingGame
{
    /// <summary>The customary slack, in pixels.</summary>
    public const int Tolerance = 15;

    /// <summary>Whether the peak of <paramref name="map"/> lies inside <paramref name="area"/>.</summary>
    public static bool Hit(Heatmap map, Area area)
    {
        ArgumentNullException.ThrowIfNull(map);
        (int x, int y) = map.Peak;
        return area.ContainsPixel(x, y);
    }

    /// <summary>
    /// Whether the peak of <paramref name="map"/> lies within <paramref name="tolerance"/> pixels of any of
    /// <paramref name="boxes"/>.
    /// </summary>
    public static bool Hit(Heatmap map, IEnumerable<Box> boxes, int tolerance = Tolerance)
    {
        ArgumentNullException.ThrowIfNull(map);
        ArgumentNullException.ThrowIfNull(boxes);
        return boxes.Any(box => Hit(map, ((Area)box).Widened(tolerance, tolerance)));
    }

    /// <summary>The fraction of hits over many (map, boxes) trials.</summary>
    public static double Accuracy(IEnumerable<(Heatmap Map, IReadOnlyList<Box> Boxes)> trials,
        int tolerance = Tolerance)
    {
        ArgumentNullException.ThrowIfNull(trials);
        int hits = 0, total = 0;
        foreach ((Heatmap map, IReadOnlyList<Box> boxes) in trials)
        {
            total++;
            if (Hit(map, boxes, tolerance)) hits++;
        }
        return total == 0 ? 0 : (double)hits / total;
    }

    /// <summary>
    /// Energy-based pointing (Wang et al., Score-CAM, 2020): the share of the map's non-negative mass inside
    /// <paramref name="box"/>; 1 when all of it is there, the box's share of the picture for a uniform map.
    /// </summary>
    public static double Energy(Heatmap map, Box box) => MapRegions.Share(map, box);
}
