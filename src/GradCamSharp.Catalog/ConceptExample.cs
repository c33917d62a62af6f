using GradCamSharp.Imaging;
using GradCamSharp.Maps;
using SkiaSharp;
using System.Globalization;

namespace GradCamSharp.Catalog;

/// <summary>
/// An example image of a concept, optionally only a box of it: <c>photo.jpg</c> or <c>photo.jpg#x0,y0,x1,y1</c>.
/// </summary>
/// <param name="Path">The image file.</param>
/// <param name="Box">The region showing the concept, in the image's pixels; null for the whole image.</param>
public sealed record ConceptExample(string Path, Box? Box)
{
    /// <summary>
    /// Parses <c>IMG</c> or <c>IMG#x0,y0,x1,y1</c>, resolving a relative path against <paramref name="baseDirectory"/>.
    /// </summary>
    /// <exception cref="UsageException">A malformed box.</exception>
    public static ConceptExample Parse(string text, string? baseDirectory = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        int hash = text.LastIndexOf('#');
        string path = hash >= 0 ? text[..hash] : text;
        if (string.IsNullOrWhiteSpace(path)) throw new UsageException($"bad concept example '{text}': no image named");
        if (baseDirectory is not null && !System.IO.Path.IsPathRooted(path))
            path = System.IO.Path.Combine(baseDirectory, path);
        if (hash < 0) return new ConceptExample(path, null);
        int[] corners = text[(hash + 1)..].Split(',')
            .Select(v => int.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out int n) ? n : -1)
            .ToArray();
        if (corners.Length != 4 || corners.Any(c => c < 0) || corners[2] <= corners[0] || corners[3] <= corners[1])
            throw new UsageException($"bad box in '{text}': expected IMG#x0,y0,x1,y1 with x0 < x1 and y0 < y1");
        return new ConceptExample(path, new Box(corners[0], corners[1], corners[2], corners[3]));
    }

    /// <summary>
    /// The region of the image that shows the concept: <see cref="Box"/>, checked to lie inside the image, or the
    /// whole image.
    /// </summary>
    /// <exception cref="ImageLoadException">The image cannot be read.</exception>
    /// <exception cref="UsageException">The box reaches outside the image.</exception>
    public Box Region()
    {
        using SKBitmap image = ImageLoader.Load(Path);
        if (Box is not Box box) return new Box(0, 0, image.Width, image.Height);
        if (box.X1 > image.Width || box.Y1 > image.Height)
        {
            throw new UsageException($"box {box.X0},{box.Y0},{box.X1},{box.Y1} reaches outside '{Path}', which is " +
                $"{image.Width}x{image.Height} pixels");
        }
        return box;
    }

    /// <summary>
    /// Parses a <c>--concept NAME=IMG[,IMG...]</c> value; boxes use '#' and their commas are kept together.
    /// </summary>
    /// <exception cref="UsageException">Malformed.</exception>
    public static (string Name, IReadOnlyList<ConceptExample> Examples) ParseConcept(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        int equals = text.IndexOf('=');
        string name = equals > 0 ? text[..equals].Trim() : "";
        if (name.Length == 0 || equals == text.Length - 1)
            throw new UsageException($"bad concept '{text}': expected NAME=IMG[,IMG...]");
        var examples = new List<ConceptExample>();
        string rest = text[(equals + 1)..];
        // Split on commas that start a new image: a comma inside "#x0,y0,x1,y1" belongs to the box.
        var current = new List<string>();
        foreach (string piece in rest.Split(','))
        {
            bool continuesBox = current.Count > 0 && current[0].Contains('#') && current.Count < 4;
            if (current.Count > 0 && !continuesBox)
            {
                examples.Add(Parse(string.Join(",", current)));
                current.Clear();
            }
            current.Add(piece);
        }
        if (current.Count > 0) examples.Add(Parse(string.Join(",", current)));
        return (name, examples);
    }
}
