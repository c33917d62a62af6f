namespace GradCamSharp.Maps;

/// <summary>An axis-aligned box in pixels, [X0, X1) x [Y0, Y1).</summary>
public readonly record struct Box(int X0, int Y0, int X1, int Y1)
{
    /// <summary>Its width.</summary>
    public int Width => X1 - X0;

    /// <summary>Its height.</summary>
    public int Height => Y1 - Y0;

    /// <summary>Its area in pixels.</summary>
    public long Area => (long)Math.Max(0, Width) * Math.Max(0, Height);

    /// <summary>True when the point lies inside (a pixel's integer coordinates, or any real position).</summary>
    public bool Contains(double x, double y) => x >= X0 && x < X1 && y >= Y0 && y < Y1;

    /// <summary>Intersection over union with <paramref name="other"/>.</summary>
    public double IntersectionOverUnion(Box other)
    {
        var overlap =
            new Box(Math.Max(X0, other.X0), Math.Max(Y0, other.Y0), Math.Min(X1, other.X1), Math.Min(Y1, other.Y1));
        long intersection = overlap.Width > 0 && overlap.Height > 0 ? overlap.Area : 0;
        long union = Area + other.Area - intersection;
        return union == 0 ? 0 : (double)intersection / union;
    }

    /// <summary>[x0, y0, x1, y1], as in manifests.</summary>
    public int[] ToArray() => [X0, Y0, X1, Y1];
}
