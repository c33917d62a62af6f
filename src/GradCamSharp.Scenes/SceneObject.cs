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
}
