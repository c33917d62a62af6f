using GradCamSharp.Maps;

namespace GradCamSharp.Evaluation;

/// <summary>
/// The pointing game (Zhang et al. 2016, used in Grad-CAM sec. 4.1 / 7): a hit when the map's maximum falls inside
/// an annotated box of the class, allowing <see cref="Tolerance"/> pixels of slack.
/// </summary>
public static class PointingGame
{
    /// <summary>The customary slack, in pixels.</summary>
    public const int Tolerance = 15;

    /// <summary>
    /// Whether the peak of <paramref name="map"/> lies within <paramref name="tolerance"/> pixels of any of
    /// <paramref name="boxes"/>.
    /// </summary>
    public static bool Hit(Heatmap map, IEnumerable<Box> boxes, int tolerance = Tolerance)
    {
        ArgumentNullException.ThrowIfNull(map);
        ArgumentNullException.ThrowIfNull(boxes);
        (int x, int y) = map.Peak;
        return boxes.Any(box => new Box(box.X0 - tolerance, box.Y0 - tolerance, box.X1 + tolerance,
            box.Y1 + tolerance).Contains(x, y));
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
    public static double Energy(Heatmap map, Box box) =>
        ClassDiscrimination.Share(map, (x, y) => box.Contains(x, y));
}
