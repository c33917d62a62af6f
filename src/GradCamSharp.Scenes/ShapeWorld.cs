using GradCamSharp.Maps;
using SkiaSharp;

namespace GradCamSharp.Scenes;

/// <summary>
/// The shape world (after CLEVR and SHAPES): one to four shapes (circle, square, triangle, star, cross) in five
/// colours and varying sizes, apart from each other, on a plain, noisy or textured background. Masks are rasterised
/// without antialiasing, so that every masked pixel has its object's colour. Captions and questions follow from the
/// ground truth (see <see cref="SceneLanguage"/>).
/// </summary>
public sealed class ShapeWorld : ISceneWorld
{
    /// <summary>The shapes, in the order of the answer vocabulary.</summary>
    public static IReadOnlyList<string> ShapeNames { get; } = ["circle", "square", "triangle", "star", "cross"];

    /// <summary>The colours.</summary>
    public static IReadOnlyList<string> ColorNames { get; } = ["red", "green", "blue", "yellow", "purple"];

    /// <summary>
    /// Each colour with each shape, colour-major: "red circle", "red square", ..., "purple cross" (the classes of the
    /// scene classifiers trained on this world).
    /// </summary>
    public static IReadOnlyList<string> PairNames { get; } =
        [.. ColorNames.SelectMany(color => ShapeNames.Select(shape => $"{color} {shape}"))];

    /// <summary>What a pixel shows: "background", then <see cref="PairNames"/> (a segmenter's classes).</summary>
    public static IReadOnlyList<string> PixelClassNames { get; } = ["background", .. PairNames];

    private static readonly SKColor[] Colors =
    [
        new(215, 40, 40), new(40, 170, 60), new(45, 80, 215), new(230, 205, 35), new(150, 55, 185),
    ];

    private static readonly Dictionary<string, string> Plurals = new(StringComparer.Ordinal)
    {
        ["circle"] =
            "circles", ["square"] = "squares", ["triangle"] = "triangles", ["star"] = "stars", ["cross"] = "crosses",
    };

    /// <summary>Draws scenes with <paramref name="options"/> (or the defaults).</summary>
    public ShapeWorld(ShapeWorldOptions? options = null)
    {
        Options = options ?? new ShapeWorldOptions();
        Options.Validate();
    }

    /// <summary>The options in force.</summary>
    public ShapeWorldOptions Options { get; }

    /// <inheritdoc />
    public string Name => SceneWorlds.Shapes;

    /// <inheritdoc />
    public Scene Generate(int seed, int index)
    {
        Random random = SceneRandom.For(seed, index);
        int size = Options.Size;
        SKBitmap image = Background(random, size);
        int count = random.Next(Options.MinObjects, Options.MaxObjects + 1);
        var placed = new List<(string Label, bool[] Mask)>();
        var colors = new List<string?>();
        var boxes = new List<Box>();
        for (int k = 0; k < count; k++)
        {
            for (int attempt = 0; attempt < 50; attempt++)
            {
                double radius = size * random.Uniform(Options.MinRadius, Options.MaxRadius);
                double cx =
                    random.Uniform(radius + 2, size - radius - 2), cy = random.Uniform(radius + 2, size - radius - 2);
                var box = new Box((int)(cx - radius) - 2, (int)(cy - radius) - 2, (int)(cx + radius) + 3,
                    (int)(cy + radius) + 3);
                if (boxes.Any(b => b.IntersectionOverUnion(box) > 0)) continue;
                string shape = random.Pick(ShapeNames);
                int color = random.Next(Colors.Length);
                bool[] mask = Rasterise(Outline(shape, (float)cx, (float)cy, (float)radius), size);
                Paint(image, mask, Jitter(Colors[color], random));
                boxes.Add(box);
                placed.Add((shape, mask));
                colors.Add(ColorNames[color]);
                break;
            }
        }
        IReadOnlyList<SceneObject> objects = PhotoWorld.VisibleObjects(placed, size, size, colors);
        string caption = SceneLanguage.Caption(objects, out int?[] grounding);
        return new Scene
        {
            Index = index,
            Image = image,
            Objects = objects,
            Captions = [caption],
            CaptionGrounding = grounding,
            Questions = Questions(objects, random, size),
        };
    }

    /// <summary>Questions whose answers the scene fixes: colour, shape, existence, count and relation.</summary>
    private static List<SceneQuestion> Questions(IReadOnlyList<SceneObject> objects, Random random, int size)
    {
        var questions = new List<SceneQuestion>();
        for (int i = 0; i < objects.Count; i++)
        {
            SceneObject item = objects[i];
            if (objects.Count(o => o.Label == item.Label) == 1)
                questions.Add(new($"what color is the {item.Label}", item.Color!, QuestionTypes.Color, i));
            if (objects.Count(o => o.Color == item.Color) == 1)
                questions.Add(new($"what shape is the {item.Color} object", item.Label, QuestionTypes.Shape, i));
            foreach (string side in new[] { "left", "right" })
            {
                if (objects.Count(o => o.Name == item.Name) == 1
                    && SceneLanguage.OnlyOneBeside(objects, i, side, 0.1 * size) is int other)
                {
                    questions.Add(new($"what is {side} of the {item.Color} {item.Label}", objects[other].Label,
                        QuestionTypes.Relation, other));
                }
            }
        }
        // Existence: one question whose answer is yes and one whose answer is no, so that both answers are common.
        int present = random.Next(objects.Count);
        questions.Add(new($"is there a {objects[present].Color} {objects[present].Label}", "yes", QuestionTypes.Exists,
            present));
        for (int attempt = 0; attempt < 20; attempt++)
        {
            string color = random.Pick(ColorNames), shape = random.Pick(ShapeNames);
            if (objects.Any(o => o.Color == color && o.Label == shape)) continue;
            questions.Add(new($"is there a {color} {shape}", "no", QuestionTypes.Exists, null));
            break;
        }
        string counted = random.Pick(ShapeNames);
        int howMany = objects.Count(o => o.Label == counted);
        questions.Add(new($"how many {Plurals[counted]} are there", SceneLanguage.NumberWords[howMany],
            QuestionTypes.Count,
            howMany == 1 ? objects.Select((o, k) => (o, k)).First(p => p.o.Label == counted).k : null));
        return questions;
    }

    private static SKBitmap Background(Random random, int size)
    {
        var bitmap = new SKBitmap(new SKImageInfo(size, size, SKColorType.Rgba8888, SKAlphaType.Unpremul));
        Span<byte> pixels = bitmap.GetPixelSpan();
        int kind = random.Next(3);
        int grey = random.Next(70, 200);
        int[] tint = [random.Next(-10, 11), random.Next(-10, 11), random.Next(-10, 11)];
        int period = random.Next(6, 17), angle = random.Next(4), amplitude = random.Next(12, 28);
        for (int y = 0; y < size; y++)
        {
            for (int x = 0; x < size; x++)
            {
                double shade = kind switch
                {
                    0 => 0,
                    1 => Gaussian(random) * 18,
                    _ => Stripe(x, y, period, angle) * amplitude,
                };
                int p = 4 * (y * size + x);
                for (int c = 0; c < 3; c++) pixels[p + c] = (byte)Math.Clamp(grey + tint[c] + shade, 0, 255);
                pixels[p + 3] = 255;
            }
        }
        return bitmap;
    }

    private static double Stripe(int x, int y, int period, int angle)
    {
        int t = angle switch { 0 => x, 1 => y, 2 => x + y, _ => x - y + 1000 };
        return (t / (period / 2)) % 2 == 0 ? 1 : -1;
    }

    private static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    private static SKColor Jitter(SKColor color, Random random) => new(
        (byte)Math.Clamp(color.Red + random.Next(-12, 13), 0, 255),
        (byte)Math.Clamp(color.Green + random.Next(-12, 13), 0, 255),
        (byte)Math.Clamp(color.Blue + random.Next(-12, 13), 0, 255));

    private static SKPath Outline(string shape, float cx, float cy, float r)
    {
        var path = new SKPath();
        switch (shape)
        {
            case "circle":
                path.AddCircle(cx, cy, r);
                break;
            case "square":
                path.AddRect(new SKRect(cx - 0.85f * r, cy - 0.85f * r, cx + 0.85f * r, cy + 0.85f * r));
                break;
            case "triangle":
                path.AddPoly([new(cx, cy - r), new(cx + 0.93f * r, cy + 0.75f * r),
                    new(cx - 0.93f * r, cy + 0.75f * r)]);
                break;
            case "star":
                path.AddPoly(Enumerable.Range(0, 10).Select(k =>
                {
                    double a = -Math.PI / 2 + k * Math.PI / 5, radius = k % 2 == 0 ? r : 0.42 * r;
                    return new SKPoint(cx + (float)(radius * Math.Cos(a)), cy + (float)(radius * Math.Sin(a)));
                }).ToArray());
                break;
            case "cross":
                float arm = 0.32f * r;
                path.AddRect(new SKRect(cx - r, cy - arm, cx + r, cy + arm));
                path.AddRect(new SKRect(cx - arm, cy - r, cx + arm, cy + r));
                break;
            default:
                throw new ArgumentException($"unknown shape '{shape}'", nameof(shape));
        }
        return path;
    }

    /// <summary>The pixels inside <paramref name="path"/>, without antialiasing.</summary>
    private static bool[] Rasterise(SKPath path, int size)
    {
        using (path)
        using (var alpha = new SKBitmap(new SKImageInfo(size, size, SKColorType.Alpha8, SKAlphaType.Premul)))
        {
            using (var canvas = new SKCanvas(alpha))
            using (var paint = new SKPaint { IsAntialias = false, Color = SKColors.White, Style = SKPaintStyle.Fill })
            {
                canvas.Clear(SKColors.Transparent);
                canvas.DrawPath(path, paint);
            }
            ReadOnlySpan<byte> pixels = alpha.GetPixelSpan();
            var mask = new bool[size * size];
            for (int y = 0; y < size; y++)
                for (int x = 0; x < size; x++) mask[y * size + x] = pixels[y * alpha.RowBytes + x] > 127;
            return mask;
        }
    }

    private static void Paint(SKBitmap image, bool[] mask, SKColor color)
    {
        Span<byte> pixels = image.GetPixelSpan();
        for (int p = 0; p < mask.Length; p++)
        {
            if (!mask[p]) continue;
            pixels[4 * p] = color.Red;
            pixels[4 * p + 1] = color.Green;
            pixels[4 * p + 2] = color.Blue;
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        // Nothing held: every scene is drawn from scratch.
    }

    /// <summary>The plural a counting question uses.</summary>
    public static string Plural(string shape) => Plurals[shape];
}
