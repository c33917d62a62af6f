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
        float[] values = map.Values;
        // Visited pixels, and a stack of pixels to visit (an array: each pixel is pushed at most once).
        var seen = new bool[values.Length];
        var stack = new int[values.Length];
        Box? best = null;
        long bestSize = 0;
        for (int start = 0; start < values.Length; start++)
        {
            if (seen[start] || values[start] < cut) continue;
            seen[start] = true;
            int top = 0;
            stack[top++] = start;
            long size = 0;
            int x0 = int.MaxValue, y0 = int.MaxValue, x1 = -1, y1 = -1;
            while (top > 0)
            {
                int index = stack[--top];
                int y = index / width, x = index - y * width;
                size++;
                x0 = Math.Min(x0, x); x1 = Math.Max(x1, x);
                y0 = Math.Min(y0, y); y1 = Math.Max(y1, y);
                int left = Math.Max(x - 1, 0), right = Math.Min(x + 1, width - 1);
                for (int ny = Math.Max(y - 1, 0); ny <= Math.Min(y + 1, height - 1); ny++)
                {
                    for (int neighbour = ny * width + left; neighbour <= ny * width + right; neighbour++)
                    {
                        if (seen[neighbour] || values[neighbour] < cut) continue;
                        seen[neighbour] = true;
                        stack[top++] = neighbour;
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
