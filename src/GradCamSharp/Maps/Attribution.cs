namespace GradCamSharp.Maps;

/// <summary>
/// A per-pixel, per-channel attribution at input resolution ([C, H, W], row-major), e.g. Guided Backprop.
/// </summary>
public sealed class Attribution
{
    /// <summary>Wraps <paramref name="values"/> (not copied).</summary>
    public Attribution(int channels, int width, int height, float[] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (channels <= 0 || width <= 0 || height <= 0 || values.Length != channels * width * height)
            throw new ArgumentException($"a {channels}x{height}x{width} attribution needs " +
                $"{channels * width * height} values, got {values.Length}");
        Channels = channels;
        Width = width;
        Height = height;
        Values = values;
    }

    /// <summary>Channels, C.</summary>
    public int Channels { get; }

    /// <summary>Columns, W.</summary>
    public int Width { get; }

    /// <summary>Rows, H.</summary>
    public int Height { get; }

    /// <summary>[C, H, W] values, row-major.</summary>
    public float[] Values { get; }

    /// <summary>
    /// The value of channel <paramref name="c"/> at column <paramref name="x"/>, row <paramref name="y"/>.
    /// </summary>
    public float this[int c, int x, int y] => Values[(c * Height + y) * Width + x];

    /// <summary>
    /// The largest absolute value over channels at each pixel, scaled to [0, 1]: a saliency map (Simonyan et al. 2014)
    /// that gives attribution methods a heatmap, a peak and a box like the CAM methods.
    /// </summary>
    public Heatmap Saliency()
    {
        int pixels = Width * Height;
        var saliency = new float[pixels];
        for (int c = 0; c < Channels; c++)
        {
            ReadOnlySpan<float> channel = Values.AsSpan(c * pixels, pixels);
            for (int i = 0; i < pixels; i++) saliency[i] = Math.Max(saliency[i], Math.Abs(channel[i]));
        }
        float max = saliency.Max();
        if (max > 0)
        {
            for (int i = 0; i < pixels; i++) saliency[i] /= max;
        }
        return new Heatmap(Width, Height, saliency);
    }
}
