using System.Text.Json;
using System.Text.Json.Serialization;
using GradCamSharp.Imaging;
using SkiaSharp;

namespace GradCamSharp.Scenes;

/// <summary>
/// Writes scenes as files: <c>scene_00001.png</c>, one mask per object (<c>scene_00001_mask0.png</c>, white where the
/// object is visible) and <c>scenes.json</c> with every scene's objects (label, colour, box [x0, y0, x1, y1], mask
/// file), captions and question/answer pairs.
/// </summary>
public static class SceneWriter
{
    /// <summary>The index file's name.</summary>
    public const string IndexName = "scenes.json";

    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>Writes <paramref name="scene"/>'s pictures and returns its index entry.</summary>
    /// <param name="scene">The scene.</param>
    /// <param name="place">Where a file of a given name goes (the output or a staging folder).</param>
    /// <param name="world">The world's name, for the index.</param>
    /// <param name="seed">The seed, for the index.</param>
    public static SceneRecord Write(Scene scene, Func<string, string> place, string world, int seed)
    {
        ArgumentNullException.ThrowIfNull(scene);
        ArgumentNullException.ThrowIfNull(place);
        string stem = $"scene_{scene.Index:D5}";
        PngFile.Save(scene.Image, place(stem + ".png"));
        var objects = new List<ObjectRecord>();
        for (int i = 0; i < scene.Objects.Count; i++)
        {
            SceneObject item = scene.Objects[i];
            string maskFile = $"{stem}_mask{i}.png";
            using SKBitmap mask = MaskBitmap(item.Mask, scene.Width, scene.Height);
            PngFile.Save(mask, place(maskFile));
            objects.Add(new ObjectRecord(item.Label, item.Color, item.Box.ToArray(), maskFile));
        }
        var questions =
            scene.Questions.Select(q => new QuestionRecord(q.Question, q.Answer, q.Type, q.ObjectIndex)).ToList();
        return new SceneRecord(world, seed, scene.Index, stem + ".png", scene.Width, scene.Height, objects,
            scene.Captions, questions);
    }

    /// <summary>Writes the index of <paramref name="records"/> to <paramref name="path"/>.</summary>
    public static void WriteIndex(IReadOnlyList<SceneRecord> records, string path) =>
        File.WriteAllText(path, JsonSerializer.Serialize(records, Json));

    /// <summary>Reads an index that <see cref="WriteIndex"/> wrote (<c>scenes.json</c>).</summary>
    /// <exception cref="UnreadableInputException">Missing, unreadable, or not a scenes index.</exception>
    public static IReadOnlyList<SceneRecord> ReadIndex(string path)
    {
        byte[] bytes = UntrustedFile.ReadAllBytes(path, "scenes index", 256L << 20);
        try
        {
            SceneRecord[] records = JsonSerializer.Deserialize<SceneRecord[]>(bytes, Json) ?? [];
            if (records.Any(r => r?.Image is null || r.Objects is null || r.Objects.Any(o => o?.Label is null
                || o.Box is not [>= 0 and var x0, >= 0 and var y0, var x1, var y1] || x1 <= x0 || y1 <= y0)))
            {
                throw new JsonException("a scene without its image, or an object without a label and a box " +
                    "[x0, y0, x1, y1] of pixels (0 <= x0 < x1, 0 <= y0 < y1)");
            }
            return records;
        }
        catch (JsonException exception)
        {
            throw new UnreadableInputException($"'{PrintableText.Printable(path)}' is not a scenes index as " +
                $"'gradcam scenes' writes: {exception.Message}", exception);
        }
    }

    /// <summary>A mask as a black-and-white picture.</summary>
    public static SKBitmap MaskBitmap(bool[] mask, int width, int height)
    {
        ArgumentNullException.ThrowIfNull(mask);
        var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Gray8, SKAlphaType.Opaque));
        Span<byte> pixels = bitmap.GetPixelSpan();
        for (int p = 0; p < mask.Length; p++) pixels[p] = mask[p] ? (byte)255 : (byte)0;
        return bitmap;
    }
}

/// <summary>One scene in <c>scenes.json</c>.</summary>
public sealed record SceneRecord(
    [property: JsonPropertyName("world")] string World,
    [property: JsonPropertyName("seed")] int Seed,
    [property: JsonPropertyName("index")] int Index,
    [property: JsonPropertyName("image")] string Image,
    [property: JsonPropertyName("width")] int Width,
    [property: JsonPropertyName("height")] int Height,
    [property: JsonPropertyName("objects")] IReadOnlyList<ObjectRecord> Objects,
    [property: JsonPropertyName("captions")] IReadOnlyList<string> Captions,
    [property: JsonPropertyName("questions")] IReadOnlyList<QuestionRecord> Questions);

/// <summary>One object of a scene in <c>scenes.json</c>.</summary>
public sealed record ObjectRecord(
    [property: JsonPropertyName("label")] string Label,
    [property: JsonPropertyName("color")] string? Color,
    [property: JsonPropertyName("box")] int[] Box,
    [property: JsonPropertyName("mask")] string Mask);

/// <summary>One question of a scene in <c>scenes.json</c>; <c>object</c> indexes the objects.</summary>
public sealed record QuestionRecord(
    [property: JsonPropertyName("question")] string Question,
    [property: JsonPropertyName("answer")] string Answer,
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("object")] int? ObjectIndex);
