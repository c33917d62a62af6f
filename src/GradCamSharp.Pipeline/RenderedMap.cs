using GradCamSharp.Maps;
using SkiaSharp;

namespace GradCamSharp.Pipeline;

/// <summary>One method's explanation of one target on a photo, drawn at the photo's size.</summary>
/// <param name="Method">The method name.</param>
/// <param name="Explanation">The explanation itself.</param>
/// <param name="Picture">The overlay (CAM methods) or the paper-style attribution image (guided methods).</param>
/// <param name="Peak">[x, y] of the map's maximum, in photo pixels.</param>
/// <param name="Box">[x0, y0, x1, y1]: the largest region above 15% of the maximum, in photo pixels; null for an empty
/// map.</param>
public sealed record RenderedMap(string Method, Explanation Explanation, SKBitmap Picture, int[] Peak, int[]? Box)
{
    /// <summary>
    /// The map's values at the photo's size (the CAM, or the attribution's channel sum), when
    /// <see cref="ExplanationSettings.SaveMaps"/> asks for them.
    /// </summary>
    public Heatmap? Values { get; init; }
}
