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

    /// <summary>Copies the values into a [rows][columns] array, for JSON and tests.</summary>
    public float[][] ToRows() =>
        Enumerable.Range(0, Height).Select(y => Values.AsSpan(y * Width, Width).ToArray()).ToArray();
}
