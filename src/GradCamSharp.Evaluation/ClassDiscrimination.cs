using GradCamSharp.Maps;

namespace GradCamSharp.Evaluation;

/// <summary>
/// Class discrimination on a photo with several annotated objects (the automated counterpart of the Grad-CAM paper's
/// human class-discrimination study, sec. 5.1): the map for class A should sit where A is rather than where another
/// object B is. Boxes stand in for the objects, each without the boxes of the objects in front of it (where a dog
/// sits in front of a bicycle, the pixels both boxes share show the dog).
/// </summary>
public static class ClassDiscrimination
{
    /// <summary>
    /// The shares of <paramref name="map"/>'s total mass where A is visible and where B is visible: each box without
    /// the boxes of the objects nearer than it.
    /// </summary>
    public static (double Own, double Other) Shares(Heatmap map, Box own, IReadOnlyList<Box> nearerThanOwn, Box other,
        IReadOnlyList<Box> nearerThanOther)
    {
        ArgumentNullException.ThrowIfNull(map);
        ArgumentNullException.ThrowIfNull(nearerThanOwn);
        ArgumentNullException.ThrowIfNull(nearerThanOther);
        return (MapRegions.Share(map, (x, y) => Visible(own, nearerThanOwn, x, y)),
            MapRegions.Share(map, (x, y) => Visible(other, nearerThanOther, x, y)));
    }

    private static bool Visible(Box box, IReadOnlyList<Box> nearer, int x, int y) =>
        box.Contains(x, y) && !nearer.Any(n => n.Contains(x, y));

    /// <summary>
    /// Whether the map's peak lies in A's box and not in B's, unless the boxes overlap there and A is the nearer.
    /// </summary>
    public static bool PeakIsOwn(Heatmap map, Box own, IReadOnlyList<Box> others, IReadOnlyList<bool> ownIsNearer)
    {
        ArgumentNullException.ThrowIfNull(map);
        ArgumentNullException.ThrowIfNull(others);
        ArgumentNullException.ThrowIfNull(ownIsNearer);
        (int x, int y) = map.Peak;
        if (!own.Contains(x, y)) return false;
        for (int i = 0; i < others.Count; i++)
        {
            if (others[i].Contains(x, y) && !ownIsNearer[i]) return false;
        }
        return true;
    }
}
