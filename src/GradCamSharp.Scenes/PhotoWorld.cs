using GradCamSharp.Imaging;
using GradCamSharp.Maps;
using SkiaSharp;

namespace GradCamSharp.Scenes;

/// <summary>
/// Composite scenes over real pixels: objects cut out of annotated photos (by their boxes, softened to a rounded
/// shape, with the nearer objects of their photo cut away) pasted at random positions, scales and flips onto a
/// region of another photo that holds no annotated object. Every object's visible mask and box is exact.
/// </summary>
/// <remarks>Scene i of a seed is the same however many scenes are generated, in any order.</remarks>
public sealed class PhotoWorld : ISceneWorld
{
    private const int PlacementTries = 40;
    private readonly IReadOnlyList<AnnotatedPhoto> _photos;
    private readonly (AnnotatedPhoto Photo, AnnotatedObject Object)[] _objects;
    private readonly AnnotatedPhoto[] _backgrounds;
    private readonly Dictionary<string, SKBitmap> _decoded = new(StringComparer.Ordinal);
    private readonly Dictionary<AnnotatedObject, float[]> _foregrounds = new(ReferenceEqualityComparer.Instance);
    private readonly Lock _decoding = new();

    /// <summary>Composes scenes from <paramref name="photos"/>.</summary>
    /// <exception cref="UsageException">No objects to paste, or inconsistent options.</exception>
    public PhotoWorld(IReadOnlyList<AnnotatedPhoto> photos, PhotoWorldOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(photos);
        Options = options ?? new PhotoWorldOptions();
        Options.Validate();
        _photos = photos;
        _objects = photos.SelectMany(p => p.Objects.Select(o => (p, o)))
            .Where(entry => Options.Labels is null || Options.Labels.Contains(entry.o.Label)).ToArray();
        if (_objects.Length == 0 && Options.MaxObjects > 0)
            throw new UsageException("no annotated objects to compose scenes from");
        _backgrounds = photos.Where(p => p.Complete).ToArray();
    }

    /// <summary>The options in force.</summary>
    public PhotoWorldOptions Options { get; }

    /// <inheritdoc />
    public string Name => SceneWorlds.Photos;

    /// <summary>The object labels scenes are made of, in ordinal order.</summary>
    public IReadOnlyList<string> Labels => LabelsOf(_objects.Select(o => o.Object));

    /// <summary>The distinct labels of <paramref name="objects"/>, in ordinal order: a photo-world model's classes.
    /// </summary>
    public static IReadOnlyList<string> LabelsOf(IEnumerable<AnnotatedObject> objects) =>
        [.. objects.Select(o => o.Label).Distinct().Order(StringComparer.Ordinal)];

    /// <summary>The annotated photos.</summary>
    public IReadOnlyList<AnnotatedPhoto> Photos => _photos;

    /// <summary>Composes scene <paramref name="index"/> of <paramref name="seed"/>.</summary>
    public Scene Generate(int seed, int index)
    {
        Random random = SceneRandom.For(seed, index);
        int size = Options.Size;
        int count = random.Next(Options.MinObjects, Options.MaxObjects + 1);
        // Distinct cut-outs: the same pixels twice in one scene would be an obvious copy.
        var chosen = _objects.OrderBy(_ => random.Next()).Take(count).ToList();
        var sources = chosen.Select(c => c.Photo.Path).ToHashSet(StringComparer.Ordinal);

        SKBitmap canvas = Background(random, sources);
        var placed = new List<(string Label, bool[] Mask)>();
        foreach ((AnnotatedPhoto photo, AnnotatedObject item) in chosen)
        {
            if (TryPaste(canvas, random, photo, item, placed, out bool[] mask)) placed.Add((item.Label, mask));
        }
        IReadOnlyList<SceneObject> objects = VisibleObjects(placed, size, size);
        string caption = SceneLanguage.Caption(objects, out int?[] grounding);
        return new Scene
        {
            Index = index,
            Image = canvas,
            Objects = objects,
            Captions = objects.Count > 0 ? [caption] : [],
            CaptionGrounding = grounding,
            Questions = Questions(objects, random, size),
        };
    }

    /// <summary>
    /// A window of one annotated photo as a square scene, for training on real context: around an object (with
    /// jitter), on a part of one, over an object-free region, or the whole photo stretched as models see it; flipped
    /// and with brightness and contrast varied. Objects keep their foreground estimate, nearer objects' boxes cut away.
    /// </summary>
    public Scene Crop(int seed, int index)
    {
        Random random = SceneRandom.For(unchecked(seed * 31 + 104729), index);
        int size = Options.Size;
        // Mostly photos with objects to learn; the others give context and background.
        AnnotatedPhoto[] withObjects = _photos.Where(p => p.Objects.Any(o => Options.Labels is null
            || Options.Labels.Contains(o.Label))).ToArray();
        AnnotatedPhoto photo = withObjects.Length > 0 && random.NextDouble() < 0.75
            ? random.Pick(withObjects) : random.Pick(_photos);
        SKBitmap source = Decoded(photo.Path);
        SKRect window = Window(random, photo, source.Width, source.Height);
        bool mirrored = random.Next(2) == 1;
        SKBitmap image = new(new SKImageInfo(size, size, SKColorType.Rgba8888, SKAlphaType.Unpremul));
        using (var canvas = new SKCanvas(image))
        using (SKImage whole = SKImage.FromBitmap(source))
        {
            if (mirrored) canvas.SetMatrix(new SKMatrix(-1, 0, size, 0, 1, 0, 0, 0, 1));
            canvas.DrawImage(whole, window, SKRect.Create(0, 0, size, size),
                new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.Linear));
        }
        Vary(image, random);
        var placed = new List<(string Label, bool[] Mask)>();
        foreach (AnnotatedObject item in photo.Objects.Reverse())
        {
            if (Options.Labels is not null && !Options.Labels.Contains(item.Label)) continue;
            Box box = Clip(item.Box, source.Width, source.Height);
            float[] foreground = ForegroundOf(photo, item, source, box);
            Box[] holes = photo.InFrontOf(item).Select(o => o.Box).ToArray();
            var mask = new bool[size * size];
            for (int y = 0; y < size; y++)
            {
                for (int x = 0; x < size; x++)
                {
                    int u = mirrored ? size - 1 - x : x;
                    double sx = window.Left + (u + 0.5) * window.Width / size,
                        sy = window.Top + (y + 0.5) * window.Height / size;
                    if (!box.Contains(sx, sy) || holes.Any(h => h.Contains(sx, sy))) continue;
                    mask[y * size + x] = foreground[(int)(sy - box.Y0) * box.Width + (int)(sx - box.X0)] >= 0.5f;
                }
            }
            if (mask.Count(m => m) >= size * size / 200) placed.Add((item.Label, mask));
        }
        return new Scene { Index = index, Image = image, Objects = VisibleObjects(placed, size, size) };
    }

    private static SKRect Window(Random random, AnnotatedPhoto photo, int width, int height)
    {
        int kind = random.Next(photo.Objects.Count > 0 ? 4 : 2);
        if (kind == 0) return SKRect.Create(0, 0, width, height);
        if (kind == 1 && photo.Complete && FreeSquare(random, photo, width, height) is SKRectI free) return free;
        if (photo.Objects.Count == 0) return SKRect.Create(0, 0, width, height);
        Box box = random.Pick(photo.Objects).Box;
        double side = kind == 3
            ? Math.Min(box.Width, box.Height) * random.Uniform(0.45, 0.85)
            : Math.Max(box.Width, box.Height) * random.Uniform(1.0, 2.5);
        side = Math.Min(side, Math.Min(width, height));
        double cx = (box.X0 + box.X1) / 2.0 + random.Uniform(-0.15, 0.15) * side;
        double cy = (box.Y0 + box.Y1) / 2.0 + random.Uniform(-0.15, 0.15) * side;
        double left = Math.Clamp(cx - side / 2, 0, width - side), top = Math.Clamp(cy - side / 2, 0, height - side);
        return SKRect.Create((float)left, (float)top, (float)side, (float)side);
    }

    /// <summary>Brightness and contrast varied by up to a fifth.</summary>
    private static void Vary(SKBitmap image, Random random)
    {
        double contrast = random.Uniform(0.8, 1.2), brightness = random.Uniform(-25, 25);
        Span<byte> pixels = image.GetPixelSpan();
        for (int p = 0; p < pixels.Length; p += 4)
        {
            for (int c = 0; c < 3; c++)
                pixels[p + c] = (byte)Math.Clamp((pixels[p + c] - 128) * contrast + 128 + brightness, 0, 255);
            pixels[p + 3] = 255;
        }
    }

    /// <summary>Questions whose answers the scene fixes: position, relation, existence and count.</summary>
    private List<SceneQuestion> Questions(IReadOnlyList<SceneObject> objects, Random random, int size)
    {
        var questions = new List<SceneQuestion>();
        foreach (string side in new[] { "left", "right" })
        {
            if (SceneLanguage.Outermost(objects, side, 0.1 * size) is int outer)
                questions.Add(new($"what is on the {side}", objects[outer].Label, QuestionTypes.Position, outer));
        }
        for (int i = 0; i < objects.Count; i++)
        {
            if (objects.Count(o => o.Label == objects[i].Label) != 1) continue;
            foreach (string side in new[] { "left", "right" })
            {
                if (SceneLanguage.OnlyOneBeside(objects, i, side, 0.1 * size) is int other)
                {
                    questions.Add(new($"what is {side} of the {objects[i].Label}", objects[other].Label,
                        QuestionTypes.Relation, other));
                }
            }
        }
        if (objects.Count > 0)
        {
            int present = random.Next(objects.Count);
            questions.Add(new($"is there a {objects[present].Label}", "yes", QuestionTypes.Exists, present));
        }
        string[] absent = Labels.Where(l => objects.All(o => o.Label != l)).ToArray();
        if (absent.Length > 0)
            questions.Add(new($"is there a {random.Pick(absent)}", "no", QuestionTypes.Exists, null));
        questions.Add(new("how many objects are there", SceneLanguage.NumberWords[objects.Count], QuestionTypes.Count,
            objects.Count == 1 ? 0 : null));
        return questions;
    }

    /// <summary>
    /// The visible part of each object (nearer ones, later in the list, hide it) with the box of that part.
    /// </summary>
    internal static IReadOnlyList<SceneObject> VisibleObjects(IReadOnlyList<(string Label, bool[] Mask)> placed,
        int width, int height, IReadOnlyList<string?>? colors = null)
    {
        var objects = new List<SceneObject>();
        for (int i = 0; i < placed.Count; i++)
        {
            bool[] visible = (bool[])placed[i].Mask.Clone();
            for (int j = i + 1; j < placed.Count; j++)
            {
                bool[] nearer = placed[j].Mask;
                for (int p = 0; p < visible.Length; p++) visible[p] &= !nearer[p];
            }
            if (MaskBox(visible, width) is Box box)
                objects.Add(new SceneObject(placed[i].Label, colors?[i], box, visible));
        }
        return objects;
    }

    /// <summary>The bounding box of a mask's set pixels, or null when none is set.</summary>
    internal static Box? MaskBox(bool[] mask, int width)
    {
        int x0 = int.MaxValue, y0 = int.MaxValue, x1 = -1, y1 = -1;
        for (int p = 0; p < mask.Length; p++)
        {
            if (!mask[p]) continue;
            int x = p % width, y = p / width;
            x0 = Math.Min(x0, x); x1 = Math.Max(x1, x);
            y0 = Math.Min(y0, y); y1 = Math.Max(y1, y);
        }
        return x1 < 0 ? null : new Box(x0, y0, x1 + 1, y1 + 1);
    }

    private SKBitmap Background(Random random, HashSet<string> sources)
    {
        int size = Options.Size;
        AnnotatedPhoto[] candidates = _backgrounds.Where(p => !sources.Contains(p.Path)).ToArray();
        if (candidates.Length == 0) candidates = _backgrounds;
        for (int attempt = 0; attempt < 16 && candidates.Length > 0; attempt++)
        {
            AnnotatedPhoto photo = random.Pick(candidates);
            SKBitmap source = Decoded(photo.Path);
            if (FreeSquare(random, photo, source.Width, source.Height) is SKRectI region)
            {
                using var crop = new SKBitmap();
                source.ExtractSubset(crop, region);
                SKBitmap scaled = ImagePreprocessor.Resize(crop, size, size);
                if (random.Next(2) == 1) Mirror(scaled);
                return scaled;
            }
        }
        // No photo offers free space: a plain grey with mild noise.
        var plain = new SKBitmap(new SKImageInfo(size, size, SKColorType.Rgba8888, SKAlphaType.Unpremul));
        Span<byte> pixels = plain.GetPixelSpan();
        for (int p = 0; p < size * size; p++)
        {
            byte grey = (byte)(110 + random.Next(40));
            pixels[4 * p] = pixels[4 * p + 1] = pixels[4 * p + 2] = grey;
            pixels[4 * p + 3] = 255;
        }
        return plain;
    }

    /// <summary>A square of the photo that overlaps no annotated box, or null.</summary>
    private static SKRectI? FreeSquare(Random random, AnnotatedPhoto photo, int width, int height)
    {
        int shorter = Math.Min(width, height);
        for (int attempt = 0; attempt < 60; attempt++)
        {
            int side = (int)(shorter * random.Uniform(0.2, 0.8));
            int x = random.Next(width - side + 1), y = random.Next(height - side + 1);
            var square = new Box(x, y, x + side, y + side);
            if (photo.Objects.All(o => !Overlaps(o.Box, square))) return new SKRectI(x, y, x + side, y + side);
        }
        return null;
    }

    private static bool Overlaps(Box a, Box b) => a.X0 < b.X1 && b.X0 < a.X1 && a.Y0 < b.Y1 && b.Y0 < a.Y1;

    private bool TryPaste(SKBitmap canvas, Random random, AnnotatedPhoto photo, AnnotatedObject item,
        List<(string Label, bool[] Mask)> placed, out bool[] mask)
    {
        int size = Options.Size;
        SKBitmap source = Decoded(photo.Path);
        Box box = Clip(item.Box, source.Width, source.Height);
        Box[] holes = photo.InFrontOf(item).Select(o => o.Box).ToArray();
        double longest = size * random.Uniform(Options.MinScale, Options.MaxScale);
        double scale = longest / Math.Max(box.Width, box.Height);
        int width = Math.Clamp((int)Math.Round(box.Width * scale), 4, size);
        int height = Math.Clamp((int)Math.Round(box.Height * scale), 4, size);
        bool mirrored = random.Next(2) == 1;
        float[] alpha = CutOutAlpha(box, holes, ForegroundOf(photo, item, source, box), width, height, mirrored);
        for (int attempt = 0; attempt < PlacementTries; attempt++)
        {
            int left = random.Next(size - width + 1), top = random.Next(size - height + 1);
            bool[] candidate = new bool[size * size];
            for (int v = 0; v < height; v++)
            {
                for (int u = 0; u < width; u++)
                    candidate[(top + v) * size + left + u] = alpha[v * width + u] >= 0.5f;
            }
            // Keep at least half of every object already there, and of this one something worth naming.
            bool hidesOthers = placed.Any(other => Remaining(other.Mask, candidate) < 0.5);
            if (hidesOthers || candidate.Count(m => m) < size * size / 100) continue;
            Blend(canvas, source, box, alpha, width, height, left, top, mirrored);
            mask = candidate;
            return true;
        }
        mask = [];
        return false;
    }

    /// <summary>What share of <paramref name="mask"/> stays visible under <paramref name="cover"/>.</summary>
    private static double Remaining(bool[] mask, bool[] cover)
    {
        int total = 0, kept = 0;
        for (int p = 0; p < mask.Length; p++)
        {
            if (!mask[p]) continue;
            total++;
            if (!cover[p]) kept++;
        }
        return total == 0 ? 0 : (double)kept / total;
    }

    /// <summary>
    /// The opacity of a cut-out: the object's foreground estimate, softened at the box's edge by a superellipse (so
    /// that no hard rectangle shows where the estimate keeps the whole box), with the boxes of nearer objects cut away.
    /// </summary>
    private static float[] CutOutAlpha(Box box, Box[] holes, float[] foreground, int width, int height, bool mirrored)
    {
        var alpha = new float[width * height];
        for (int v = 0; v < height; v++)
        {
            for (int u = 0; u < width; u++)
            {
                double nx = (u + 0.5) / width * 2 - 1, ny = (v + 0.5) / height * 2 - 1;
                double radius = Math.Pow(Math.Pow(Math.Abs(nx), 6) + Math.Pow(Math.Abs(ny), 6), 1 / 6.0);
                double sourceU = mirrored ? width - 1 - u : u;
                double sx = (sourceU + 0.5) / width * box.Width, sy = (v + 0.5) / height * box.Height;
                int fx = Math.Min(box.Width - 1, (int)sx), fy = Math.Min(box.Height - 1, (int)sy);
                float a = (float)Math.Clamp((1 - radius) / 0.1, 0, 1) * foreground[fy * box.Width + fx];
                if (holes.Any(h => h.Contains(box.X0 + sx, box.Y0 + sy))) a = 0;
                alpha[v * width + u] = a;
            }
        }
        return alpha;
    }

    private float[] ForegroundOf(AnnotatedPhoto photo, AnnotatedObject item, SKBitmap source, Box box)
    {
        lock (_decoding)
        {
            if (!_foregrounds.TryGetValue(item, out float[]? alpha))
            {
                Box[] others = photo.Objects.Where(o => !ReferenceEquals(o, item)).Select(o => o.Box).ToArray();
                // Its own random stream: the estimate must not depend on which scene asked for it first.
                alpha = Foreground.Estimate(source, box, others, new Random(box.X0 * 7919 + box.Y0));
                _foregrounds[item] = alpha;
            }
            return alpha;
        }
    }

    private static void Blend(SKBitmap canvas, SKBitmap source, Box box, float[] alpha, int width, int height,
        int left, int top, bool mirrored)
    {
        using var crop = new SKBitmap();
        source.ExtractSubset(crop, new SKRectI(box.X0, box.Y0, box.X1, box.Y1));
        using SKBitmap scaled = ImagePreprocessor.Resize(crop, width, height);
        if (mirrored) Mirror(scaled);
        ReadOnlySpan<byte> from = scaled.GetPixelSpan();
        Span<byte> to = canvas.GetPixelSpan();
        int size = canvas.Width;
        for (int v = 0; v < height; v++)
        {
            for (int u = 0; u < width; u++)
            {
                float a = alpha[v * width + u];
                if (a <= 0) continue;
                int s = 4 * (v * width + u), d = 4 * ((top + v) * size + left + u);
                for (int c = 0; c < 3; c++) to[d + c] = (byte)MathF.Round(a * from[s + c] + (1 - a) * to[d + c]);
            }
        }
    }

    private static void Mirror(SKBitmap bitmap)
    {
        Span<byte> pixels = bitmap.GetPixelSpan();
        int width = bitmap.Width, stride = bitmap.RowBytes;
        for (int y = 0; y < bitmap.Height; y++)
        {
            Span<uint> row =
                System.Runtime.InteropServices.MemoryMarshal.Cast<byte, uint>(pixels.Slice(y * stride, 4 * width));
            row.Reverse();
        }
    }

    private static Box Clip(Box box, int width, int height) =>
        new(Math.Clamp(box.X0, 0, width - 1), Math.Clamp(box.Y0, 0, height - 1),
            Math.Clamp(box.X1, 1, width), Math.Clamp(box.Y1, 1, height));

    private SKBitmap Decoded(string path)
    {
        lock (_decoding)
        {
            if (!_decoded.TryGetValue(path, out SKBitmap? bitmap))
            {
                bitmap = ImageLoader.Load(path);
                _decoded[path] = bitmap;
            }
            return bitmap;
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (SKBitmap bitmap in _decoded.Values) bitmap.Dispose();
        _decoded.Clear();
    }
}
