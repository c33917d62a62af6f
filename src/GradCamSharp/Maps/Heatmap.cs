using System.Numerics;

namespace GradCamSharp.Maps;

/// <summary>A single-channel map, row-major, <see cref="Height"/> x <see cref="Width"/>.</summary>
public sealed class Heatmap
{
    /// <summary>Wraps <paramref name="values"/> (not copied).</summary>
    public Heatmap(int width, int height, float[] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (width <= 0 || height <= 0 || values.Length != width * height)
            throw new ArgumentException($"a {width}x{height} map needs {width * height} values, got {values.Length}");
        Width = width;
        Height = height;
        Values = values;
    }

    /// <summary>Columns.</summary>
    public int Width { get; }

    /// <summary>Rows.</summary>
    public int Height { get; }

    /// <summary>Row-major values.</summary>
    public float[] Values { get; }

    /// <summary>The value at column <paramref name="x"/>, row <paramref name="y"/>.</summary>
    public float this[int x, int y] => Values[y * Width + x];

    /// <summary>The largest value.</summary>
    public float Max => Values.Max();

    /// <summary>The position of the largest value (the first, in row-major order, on ties).</summary>
    public (int X, int Y) Peak
    {
        get
        {
            int best = 0;
            for (int i = 1; i < Values.Length; i++)
            {
                if (Values[i] > Values[best]) best = i;
            }
            return (best % Width, best / Width);
        }
    }

    /// <summary>A rectangular part of the map.</summary>
    public Heatmap Crop(int x, int y, int width, int height)
    {
        if (x < 0 || y < 0 || width <= 0 || height <= 0 || x + width > Width || y + height > Height)
            throw new ArgumentOutOfRangeException(nameof(width),
                $"crop {x},{y} {width}x{height} exceeds the {Width}x{Height} map");
        var values = new float[width * height];
        for (int row = 0; row < height; row++) Array.Copy(Values, (y + row) * Width + x, values, row * width, width);
        return new Heatmap(width, height, values);
    }

    /// <summary>
    /// A Gaussian blur (separable, edges clamped): what makes a peak and a box meaningful for high-frequency maps
    /// such as Guided Backprop's, whose single largest pixel says little about where the evidence is.
    /// </summary>
    /// <param name="sigma">The standard deviation, in pixels; 0 returns a copy.</param>
    public Heatmap Blur(float sigma)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(sigma);
        if (sigma == 0) return new Heatmap(Width, Height, (float[])Values.Clone());
        int radius = (int)Math.Ceiling(3 * sigma);
        var kernel = new float[2 * radius + 1];
        for (int i = -radius; i <= radius; i++) kernel[i + radius] = MathF.Exp(-i * i / (2 * sigma * sigma));
        float sum = kernel.Sum();
        for (int i = 0; i < kernel.Length; i++) kernel[i] /= sum;
        // Separable, each pass a weighted sum of shifted rows, so that every step is a vector operation over a row.
        var rows = new float[Values.Length];
        var padded = new float[Width + 2 * radius];
        for (int y = 0; y < Height; y++)
        {
            ReadOnlySpan<float> source = Values.AsSpan(y * Width, Width);
            // Past the edges the border value repeats.
            padded.AsSpan(0, radius).Fill(source[0]);
            source.CopyTo(padded.AsSpan(radius));
            padded.AsSpan(radius + Width).Fill(source[^1]);
            Span<float> target = rows.AsSpan(y * Width, Width);
            for (int k = 0; k < kernel.Length; k++) AddScaled(target, padded.AsSpan(k, Width), kernel[k]);
        }
        var blurred = new float[Values.Length];
        for (int y = 0; y < Height; y++)
        {
            Span<float> target = blurred.AsSpan(y * Width, Width);
            for (int k = -radius; k <= radius; k++)
                AddScaled(target, rows.AsSpan(Math.Clamp(y + k, 0, Height - 1) * Width, Width), kernel[k + radius]);
        }
        return new Heatmap(Width, Height, blurred);
    }

    /// <summary><paramref name="target"/> += <paramref name="weight"/> * <paramref name="source"/>.</summary>
    private static void AddScaled(Span<float> target, ReadOnlySpan<float> source, float weight)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var scale = new Vector<float>(weight);
            for (; i <= target.Length - Vector<float>.Count; i += Vector<float>.Count)
                (new Vector<float>(target[i..]) + scale * new Vector<float>(source[i..])).CopyTo(target[i..]);
        }
        for (; i < target.Length; i++) target[i] += weight * source[i];
    }

    /// <summary>
    /// Bilinear resampling to <paramref name="width"/> x <paramref name="height"/> with half-pixel centres (as
    /// OpenCV's resize and PyTorch's interpolate with align_corners=false), so a map lines up with the image it covers.
    /// </summary>
    public Heatmap Resize(int width, int height)
    {
        if (width <= 0 || height <= 0)
            throw new ArgumentOutOfRangeException(nameof(width), "the size must be positive");
        if (width == Width && height == Height) return new Heatmap(width, height, (float[])Values.Clone());
        (int[] x0, int[] x1, float[] fx) = Taps(Width, width);
        (int[] y0, int[] y1, float[] fy) = Taps(Height, height);
        // Each source row is resampled along x once (many output rows share it), then output rows blend two of them.
        var across = new float[Height * width];
        for (int row = 0; row < Height; row++)
        {
            ReadOnlySpan<float> source = Values.AsSpan(row * Width, Width);
            Span<float> target = across.AsSpan(row * width, width);
            for (int x = 0; x < width; x++)
                target[x] = source[x0[x]] + (source[x1[x]] - source[x0[x]]) * fx[x];
        }
        var values = new float[width * height];
        for (int y = 0; y < height; y++)
        {
            Blend(values.AsSpan(y * width, width), across.AsSpan(y0[y] * width, width),
                across.AsSpan(y1[y] * width, width), fy[y]);
        }
        return new Heatmap(width, height, values);
    }

    /// <summary><paramref name="target"/> = upper + (lower - upper) * fraction, element by element.</summary>
    private static void Blend(Span<float> target, ReadOnlySpan<float> upper, ReadOnlySpan<float> lower, float fraction)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var weight = new Vector<float>(fraction);
            for (; i <= target.Length - Vector<float>.Count; i += Vector<float>.Count)
            {
                var top = new Vector<float>(upper[i..]);
                (top + (new Vector<float>(lower[i..]) - top) * weight).CopyTo(target[i..]);
            }
        }
        for (; i < target.Length; i++) target[i] = upper[i] + (lower[i] - upper[i]) * fraction;
    }

    private static (int[] Low, int[] High, float[] Fraction) Taps(int source, int target)
    {
        var low = new int[target];
        var high = new int[target];
        var fraction = new float[target];
        double scale = (double)source / target;
        for (int i = 0; i < target; i++)
        {
            double position = Math.Max(0, (i + 0.5) * scale - 0.5);
            low[i] = Math.Min((int)position, source - 1);
            high[i] = Math.Min(low[i] + 1, source - 1);
            fraction[i] = (float)(position - low[i]);
        }
        return (low, high, fraction);
    }
}
