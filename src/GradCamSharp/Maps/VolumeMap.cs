namespace GradCamSharp.Maps;

/// <summary>
/// A single-channel volume map, <see cref="Depth"/> x <see cref="Height"/> x <see cref="Width"/>, stored slice by
/// slice, each slice row-major (NumPy's C order for a [depth, height, width] array).
/// </summary>
public sealed class VolumeMap
{
    /// <summary>Wraps <paramref name="values"/> (not copied).</summary>
    public VolumeMap(int depth, int height, int width, float[] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (depth <= 0 || height <= 0 || width <= 0 || values.LongLength != (long)depth * height * width)
        {
            throw new ArgumentException(
                $"a {depth}x{height}x{width} volume needs {(long)depth * height * width} values, got {values.Length}");
        }
        (Depth, Height, Width, Values) = (depth, height, width, values);
    }

    /// <summary>Slices.</summary>
    public int Depth { get; }

    /// <summary>Rows of a slice.</summary>
    public int Height { get; }

    /// <summary>Columns of a slice.</summary>
    public int Width { get; }

    /// <summary>The values, slice by slice.</summary>
    public float[] Values { get; }

    /// <summary>The value at slice <paramref name="z"/>, row <paramref name="y"/>, column
    /// <paramref name="x"/>.</summary>
    public float this[int z, int y, int x] => Values[((long)z * Height + y) * Width + x];

    /// <summary>The position of the largest value (the first, in storage order, on ties).</summary>
    public (int Z, int Y, int X) Peak
    {
        get
        {
            int best = 0;
            for (int i = 1; i < Values.Length; i++)
                if (Values[i] > Values[best]) best = i;
            return (best / (Height * Width), best / Width % Height, best % Width);
        }
    }

    /// <summary>
    /// The slice at <paramref name="index"/> across <paramref name="axis"/>: 0 (a [height, width] slice), 1 (a
    /// [depth, width] slice) or 2 (a [depth, height] slice).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">No such axis or slice.</exception>
    public Heatmap Slice(int axis, int index)
    {
        (int rows, int columns, int count) = Plane(axis);
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, count);
        var values = new float[rows * columns];
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < columns; c++)
                values[r * columns + c] = At(axis, index, r, c);
        return new Heatmap(columns, rows, values);
    }

    /// <summary>The largest value along <paramref name="axis"/> (a maximum-intensity projection), laid out as
    /// <see cref="Slice"/> lays out that axis's slices.</summary>
    public Heatmap MaximumProjection(int axis)
    {
        (int rows, int columns, int count) = Plane(axis);
        var values = new float[rows * columns];
        for (int r = 0; r < rows; r++)
        {
            for (int c = 0; c < columns; c++)
            {
                float best = float.NegativeInfinity;
                for (int i = 0; i < count; i++) best = Math.Max(best, At(axis, i, r, c));
                values[r * columns + c] = best;
            }
        }
        return new Heatmap(columns, rows, values);
    }

    /// <summary>
    /// The box of the largest 6-connected region above <paramref name="fraction"/> of the maximum (the paper's
    /// localisation box, 15%, in three dimensions), as inclusive voxel bounds; null when the map is empty.
    /// </summary>
    public (int Z0, int Y0, int X0, int Z1, int Y1, int X1)? RegionAbove(float fraction = 0.15f)
    {
        float max = Values.Max();
        if (!(max > 0)) return null;
        float threshold = fraction * max;
        var region = new int[Values.Length];
        var queue = new Queue<int>();
        (int Size, int Z0, int Y0, int X0, int Z1, int Y1, int X1) best = default;
        int plane = Height * Width, label = 0;
        for (int seed = 0; seed < Values.Length; seed++)
        {
            if (region[seed] != 0 || !(Values[seed] >= threshold)) continue;
            region[seed] = ++label;
            queue.Enqueue(seed);
            (int Size, int Z0, int Y0, int X0, int Z1, int Y1, int X1) current =
                (0, int.MaxValue, int.MaxValue, int.MaxValue, -1, -1, -1);
            while (queue.TryDequeue(out int voxel))
            {
                int z = voxel / plane, y = voxel / Width % Height, x = voxel % Width;
                current = (current.Size + 1, Math.Min(current.Z0, z), Math.Min(current.Y0, y),
                    Math.Min(current.X0, x), Math.Max(current.Z1, z), Math.Max(current.Y1, y), Math.Max(current.X1, x));
                void Visit(bool inside, int next)
                {
                    if (inside && region[next] == 0 && Values[next] >= threshold)
                    {
                        region[next] = label;
                        queue.Enqueue(next);
                    }
                }
                Visit(z > 0, voxel - plane);
                Visit(z < Depth - 1, voxel + plane);
                Visit(y > 0, voxel - Width);
                Visit(y < Height - 1, voxel + Width);
                Visit(x > 0, voxel - 1);
                Visit(x < Width - 1, voxel + 1);
            }
            if (current.Size > best.Size) best = current;
        }
        return (best.Z0, best.Y0, best.X0, best.Z1, best.Y1, best.X1);
    }

    private (int Rows, int Columns, int Count) Plane(int axis) => axis switch
    {
        0 => (Height, Width, Depth),
        1 => (Depth, Width, Height),
        2 => (Depth, Height, Width),
        _ => throw new ArgumentOutOfRangeException(nameof(axis), axis, "axes are 0 (depth), 1 (rows), 2 (columns)"),
    };

    private float At(int axis, int index, int row, int column) => axis switch
    {
        0 => this[index, row, column],
        1 => this[row, index, column],
        _ => this[row, column, index],
    };
}
