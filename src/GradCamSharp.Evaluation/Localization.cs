using GradCamSharp.Maps;

namespace GradCamSharp.Evaluation;

/// <summary>
/// Weakly-supervised localisation (Grad-CAM, sec. 4.1): threshold the map at a fraction of its maximum and take the
/// bounding box of the largest connected region.
/// </summary>
public static class Localization
{
    /// <summary>The paper's threshold: 15% of the map's maximum.</summary>
    public const float PaperThreshold = 0.15f;

    /// <summary>
    /// The bounding box of the largest 8-connected region whose values are at least <paramref name="threshold"/> times
    /// the map's maximum; null for an all-zero map.
    /// </summary>
    public static Box? BoundingBox(Heatmap map, float threshold = PaperThreshold)
    {
        ArgumentNullException.ThrowIfNull(map);
        ArgumentOutOfRangeException.ThrowIfNegative(threshold);
        float max = map.Max;
        if (!(max > 0)) return null;
        float cut = threshold * max;
        int width = map.Width, height = map.Height;
        var label = new int[map.Values.Length];
        var stack = new Stack<int>();
        Box? best = null;
        long bestSize = 0;
        int next = 0;
        for (int start = 0; start < label.Length; start++)
        {
            if (label[start] != 0 || map.Values[start] < cut) continue;
            next++;
            label[start] = next;
            stack.Push(start);
            long size = 0;
            int x0 = int.MaxValue, y0 = int.MaxValue, x1 = -1, y1 = -1;
            while (stack.Count > 0)
            {
                int index = stack.Pop();
                int x = index % width, y = index / width;
                size++;
                x0 = Math.Min(x0, x); x1 = Math.Max(x1, x);
                y0 = Math.Min(y0, y); y1 = Math.Max(y1, y);
                for (int dy = -1; dy <= 1; dy++)
                {
                    for (int dx = -1; dx <= 1; dx++)
                    {
                        int nx = x + dx, ny = y + dy;
                        if (nx < 0 || ny < 0 || nx >= width || ny >= height) continue;
                        int neighbour = ny * width + nx;
                        if (label[neighbour] != 0 || map.Values[neighbour] < cut) continue;
                        label[neighbour] = next;
                        stack.Push(neighbour);
                    }
                }
            }
            if (size > bestSize)
            {
                bestSize = size;
                best = new Box(x0, y0, x1 + 1, y1 + 1);
            }
        }
        return best;
    }
}
