namespace GradCamSharp.Maps;

/// <summary>
/// A region of a map with real-valued edges, [X0, X1) x [Y0, Y1): a box (<see cref="Box"/> converts to one), a span of
/// columns (a character on a text line), either widened by a slack. A pixel belongs to it when its centre does.
/// </summary>
/// <param name="X0">The left edge.</param>
/// <param name="Y0">The top edge.</param>
/// <param name="X1">The right edge (exclusive).</param>
/// <param name="Y1">The bottom edge (exclusive).</param>
public readonly record struct Area(double X0, double Y0, double X1, double Y1)
{
    /// <summary>The columns [<paramref name="x0"/>, <paramref name="x1"/>) at every height.</summary>
    public static Area Columns(double x0, double x1) =>
        new(x0, double.NegativeInfinity, x1, double.PositiveInfinity);

    /// <summary>A box's pixels: for whole pixels the same as <see cref="Box.Contains"/>.</summary>
    public static implicit operator Area(Box box) => new(box.X0, box.Y0, box.X1, box.Y1);

    /// <summary>The same box, as a method (for languages without implicit conversions).</summary>
    public static Area FromBox(Box box) => box;

    /// <summary>This area grown by <paramref name="dx"/> on the left and right, <paramref name="dy"/> above and
    /// below.</summary>
    public Area Widened(double dx, double dy) => new(X0 - dx, Y0 - dy, X1 + dx, Y1 + dy);

    /// <summary>Whether the centre of pixel (<paramref name="x"/>, <paramref name="y"/>) lies inside.</summary>
    public bool ContainsPixel(int x, int y) => x + 0.5 >= X0 && x + 0.5 < X1 && y + 0.5 >= Y0 && y + 0.5 < Y1;
}
