using GradCamSharp.Maps;
using SkiaSharp;

namespace GradCamSharp.Scenes;

/// <summary>
/// A simple foreground estimate for a boxed object: pixels of the box whose colour is close to a colour seen in a
/// ring just outside the box (the object's surroundings, other objects' boxes left out) count as background. The
/// estimate is cleaned with a majority filter and kept to the pixels connected to the box's centre region. Where
/// the ring is too thin to sample (an object filling its photo), the whole box counts as foreground.
/// </summary>
internal static class Foreground
{
    private const int Samples = 96;
    private const double Distance = 38;

    /// <summary>[box.Height, box.Width] opacity in {0, 1}: 1 where the object probably is.</summary>
    public static float[] Estimate(SKBitmap photo, Box box, IReadOnlyList<Box> others, Random random)
    {
        int width = box.Width, height = box.Height;
        var alpha = new float[width * height];
        Array.Fill(alpha, 1f);
        List<SKColor> ring = Ring(photo, box, others);
        if (ring.Count < Samples) return alpha;
        SKColor[] palette = Enumerable.Range(0, Samples).Select(_ => ring[random.Next(ring.Count)]).ToArray();
        var foreground = new bool[width * height];
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
            {
                SKColor c = photo.GetPixel(box.X0 + x, box.Y0 + y);
                double nearest = palette.Min(p => Math.Sqrt(Square(c.Red - p.Red) + Square(c.Green - p.Green)
                    + Square(c.Blue - p.Blue)));
                foreground[y * width + x] = nearest > Distance;
            }
        }
        foreground = Majority(foreground, width, height, Math.Max(2, Math.Min(width, height) / 40));
        foreground = ConnectedToCentre(foreground, width, height);
        // An estimate that keeps too little of the box has failed: fall back to the whole box.
        if (foreground.Count(f => f) < width * height / 5) return alpha;
        for (int p = 0; p < alpha.Length; p++) alpha[p] = foreground[p] ? 1f : 0f;
        return alpha;
    }

    private static int Square(int v) => v * v;

    /// <summary>Pixels in a band around the box, outside it and outside every other object's box.</summary>
    private static List<SKColor> Ring(SKBitmap photo, Box box, IReadOnlyList<Box> others)
    {
        int band = Math.Max(4, Math.Min(box.Width, box.Height) / 10);
        var colors = new List<SKColor>();
        for (int y = Math.Max(0, box.Y0 - band); y < Math.Min(photo.Height, box.Y1 + band); y += 2)
        {
            for (int x = Math.Max(0, box.X0 - band); x < Math.Min(photo.Width, box.X1 + band); x += 2)
            {
                if (box.Contains(x, y) || others.Any(o => o.Contains(x, y))) continue;
                colors.Add(photo.GetPixel(x, y));
            }
        }
        return colors;
    }

    private static bool[] Majority(bool[] mask, int width, int height, int radius)
    {
        // A box filter over a summed-area table: a pixel keeps the majority value of its neighbourhood.
        var sums = new int[(width + 1) * (height + 1)];
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
            {
                sums[(y + 1) * (width + 1) + x + 1] = (mask[y * width + x] ? 1 : 0) + sums[y * (width + 1) + x + 1]
                    + sums[(y + 1) * (width + 1) + x] - sums[y * (width + 1) + x];
            }
        }
        var result = new bool[mask.Length];
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
            {
                int x0 = Math.Max(0, x - radius), x1 = Math.Min(width, x + radius + 1);
                int y0 = Math.Max(0, y - radius), y1 = Math.Min(height, y + radius + 1);
                int total = sums[y1 * (width + 1) + x1] - sums[y0 * (width + 1) + x1] - sums[y1 * (width + 1) + x0]
                    + sums[y0 * (width + 1) + x0];
                result[y * width + x] = 2 * total > (x1 - x0) * (y1 - y0);
            }
        }
        return result;
    }

    /// <summary>The foreground pixels 4-connected to any foreground pixel of the box's central third.</summary>
    private static bool[] ConnectedToCentre(bool[] mask, int width, int height)
    {
        var kept = new bool[mask.Length];
        var stack = new Stack<int>();
        for (int y = height / 3; y < 2 * height / 3; y++)
        {
            for (int x = width / 3; x < 2 * width / 3; x++)
            {
                int p = y * width + x;
                if (mask[p] && !kept[p])
                {
                    kept[p] = true;
                    stack.Push(p);
                }
            }
        }
        while (stack.Count > 0)
        {
            int p = stack.Pop();
            int x = p % width, y = p / width;
            foreach ((int nx, int ny) in new[] { (x - 1, y), (x + 1, y), (x, y - 1), (x, y + 1) })
            {
                if (nx < 0 || ny < 0 || nx >= width || ny >= height) continue;
                int q = ny * width + nx;
                if (!mask[q] || kept[q]) continue;
                kept[q] = true;
                stack.Push(q);
            }
        }
        return kept;
    }
}
