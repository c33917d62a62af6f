using GradCamSharp.Maps;

namespace GradCamSharp.Scenes;

/// <summary>One object of a generated scene, with its exact extent.</summary>
/// <param name="Label">What it is: a shape ("circle") or an object name ("dog").</param>
/// <param name="Color">Its colour name in the shape world; null for photo objects.</param>
/// <param name="Box">The bounding box of its visible pixels, [X0, X1) x [Y0, Y1).</param>
/// <param name="Mask">Its visible pixels, row-major over the scene (occlusion by nearer objects removed).</param>
public sealed record SceneObject(string Label, string? Color, Box Box, bool[] Mask)
{
    /// <summary>"red circle" in the shape world, "dog" in the photo world.</summary>
    public string Name => Color is null ? Label : $"{Color} {Label}";

    /// <summary>The centre of its box.</summary>
    public (double X, double Y) Centre => ((Box.X0 + Box.X1) / 2.0, (Box.Y0 + Box.Y1) / 2.0);

    /// <summary>How many pixels are visible.</summary>
    public int Area => Mask.Count(visible => visible);

    /// <summary>
    /// The share of each of <paramref name="cells"/> x <paramref name="cells"/> cells that the mask covers, row-major,
    /// in a square scene <paramref name="side"/> pixels wide (a multiple of <paramref name="cells"/>): what a
    /// network's feature cell sees of the object.
    /// </summary>
    public float[] CellCoverage(int side, int cells)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(cells);
        if (side % cells != 0 || Mask.Length != side * side)
            throw new ArgumentException($"a {side}-pixel square scene cannot be cut into {cells}x{cells} equal cells");
        int block = side / cells;
        var covered = new float[cells * cells];
        float perPixel = 1f / (block * block);
        for (int y = 0; y < side; y++)
        {
            for (int x = 0; x < side; x++)
                if (Mask[y * side + x]) covered[y / block * cells + x / block] += perPixel;
        }
        return covered;
    }
}
