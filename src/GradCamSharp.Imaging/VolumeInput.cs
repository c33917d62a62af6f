using GradCamSharp.Maps;
using SkiaSharp;

namespace GradCamSharp.Imaging;

/// <summary>
/// A volume given as a model's input: a NumPy <c>.npy</c> array ([D, H, W], [C, D, H, W] or [1, C, D, H, W]) or a
/// NIfTI file (<c>.nii</c>, <c>.nii.gz</c>; its x, y, z become W, H, D), its values as stored.
/// </summary>
/// <param name="Channels">C.</param>
/// <param name="Depth">D, the slices.</param>
/// <param name="Height">H, the rows of a slice.</param>
/// <param name="Width">W, the columns of a slice.</param>
/// <param name="Values">[C, D, H, W] in C order.</param>
/// <param name="NiftiHeader">The NIfTI header it came with, for maps written in the same space; null for .npy.</param>
public sealed record VolumeInput(int Channels, int Depth, int Height, int Width, float[] Values, byte[]? NiftiHeader)
{
    /// <summary>Whether <paramref name="path"/> names a volume file (by its extension).</summary>
    public static bool Handles(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return path.EndsWith(".npy", StringComparison.OrdinalIgnoreCase) || NiftiFile.Handles(path);
    }

    /// <summary>Reads a volume file.</summary>
    /// <exception cref="UnreadableInputException">Missing, unreadable, or not a volume's shape.</exception>
    public static VolumeInput Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path))
            throw new UnreadableInputException($"volume '{PrintableText.Printable(path)}' not found");
        if (NiftiFile.Handles(path))
        {
            // x fastest, then y, z and the fourth axis (channels): already [C, D, H, W] in C order.
            (int[] shape, float[] voxels, byte[] header) = NiftiFile.Load(path);
            return new VolumeInput(shape[0], shape[1], shape[2], shape[3], voxels, header);
        }
        (int[] dims, float[] values) = NpyFile.LoadArray(path);
        int[] volume = dims switch
        {
            [var d, var h, var w] => [1, d, h, w],
            [var c, var d, var h, var w] => [c, d, h, w],
            [1, var c, var d, var h, var w] => [c, d, h, w],
            _ => throw new UnreadableInputException($"'{PrintableText.Printable(path)}' is a " +
                $"[{string.Join(", ", dims)}] array; a volume is [D, H, W], [C, D, H, W] or [1, C, D, H, W]"),
        };
        return new VolumeInput(volume[0], volume[1], volume[2], volume[3], values, null);
    }

    /// <summary>
    /// The slices through <paramref name="at"/> of the first channel (grey, its values' range stretched) blended with
    /// the map's: across the depth, the rows and the columns, in that order.
    /// </summary>
    /// <param name="map">A map of the volume's size.</param>
    /// <param name="colormap">How the map is coloured.</param>
    /// <param name="at">The voxel the slices go through (the map's peak, for example).</param>
    /// <exception cref="ArgumentException">The map is not of the volume's size.</exception>
    public IReadOnlyList<SKBitmap> Views(VolumeMap map, IColormap colormap, (int Z, int Y, int X) at)
    {
        ArgumentNullException.ThrowIfNull(map);
        ArgumentNullException.ThrowIfNull(colormap);
        if ((map.Depth, map.Height, map.Width) != (Depth, Height, Width))
        {
            throw new ArgumentException($"the map is {map.Depth}x{map.Height}x{map.Width}, the volume " +
                $"{Depth}x{Height}x{Width}");
        }
        var first = new VolumeMap(Depth, Height, Width, Values[..(Depth * Height * Width)]);
        float low = first.Values.Min(), range = Math.Max(first.Values.Max() - low, 1e-12f);
        return [.. new[] { at.Z, at.Y, at.X }.Select((index, axis) =>
        {
            Heatmap slice = first.Slice(axis, index);
            using SKBitmap grey = Grey(slice, low, range);
            return Renderer.Overlay(grey, map.Slice(axis, index), colormap);
        })];
    }

    private static SKBitmap Grey(Heatmap slice, float low, float range)
    {
        var bitmap = new SKBitmap(new SKImageInfo(slice.Width, slice.Height, SKColorType.Rgba8888,
            SKAlphaType.Unpremul));
        Span<byte> pixels = bitmap.GetPixelSpan();
        for (int i = 0; i < slice.Values.Length; i++)
        {
            byte level = (byte)Math.Clamp((slice.Values[i] - low) / range * 255f, 0f, 255f);
            pixels[4 * i] = pixels[4 * i + 1] = pixels[4 * i + 2] = level;
            pixels[4 * i + 3] = 255;
        }
        return bitmap;
    }
}
