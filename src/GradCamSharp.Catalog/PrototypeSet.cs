using System.Text.Json;
using System.Text.Json.Serialization;
using GradCamSharp.Imaging;
using GradCamSharp.Models;
using SkiaSharp;
using TorchSharp;
using static TorchSharp.torch;

namespace GradCamSharp.Catalog;

/// <summary>
/// Named prototype vectors and the example crops they were computed from, stored as JSON so that the file can be
/// regenerated (<c>gradcam prototypes</c>) and reviewed.
/// </summary>
public sealed class PrototypeSet
{
    /// <summary>What the vectors are features of.</summary>
    [JsonPropertyName("model")] public required string Model { get; init; }

    /// <summary>How the file was made.</summary>
    [JsonPropertyName("about")] public string? About { get; init; }

    /// <summary>
    /// Example images per label (paths relative to the examples folder, with optional #x0,y0,x1,y1 boxes).
    /// </summary>
    [JsonPropertyName("examples")] public required Dictionary<string, string[]> Examples { get; init; }

    /// <summary>One vector per label, in the order of <see cref="Examples"/>.</summary>
    [JsonPropertyName("prototypes")]
    [JsonConverter(typeof(CompactVectorsConverter))]
    public Dictionary<string, float[]> Prototypes { get; init; } = [];

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };
    private static readonly JsonSerializerOptions StrictJson = UntrustedJson.Strict();

    /// <summary>The labels in file order.</summary>
    [JsonIgnore] public IReadOnlyList<string> Labels => Examples.Keys.ToArray();

    /// <summary>The vectors in label order.</summary>
    [JsonIgnore] public IReadOnlyList<float[]> Vectors => Labels.Select(l => Prototypes[l]).ToArray();

    /// <summary>Reads a prototype file.</summary>
    /// <exception cref="UnreadableInputException">Missing or malformed.</exception>
    public static PrototypeSet Load(string path)
    {
        PrototypeSet set = UntrustedJson.Read<PrototypeSet>(path, "prototype file", StrictJson);
        if (set.Labels.Any(l => !set.Prototypes.ContainsKey(l)))
            throw new UnreadableInputException($"prototype file '{path}' lacks vectors for some labels; " +
                "regenerate it with 'gradcam prototypes'");
        return set;
    }

    /// <summary>Writes the file (atomically).</summary>
    public void Save(string path)
    {
        string temporary = path + ".partial";
        File.WriteAllText(temporary, JsonSerializer.Serialize(this, Json));
        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>Computes every label's prototype from its examples with <paramref name="features"/>.</summary>
    public PrototypeSet Rebuild(IExplainableModel features, Preprocessing preprocessing, string examplesFolder,
        IProgress<string>? progress = null)
    {
        var vectors = new Dictionary<string, float[]>();
        foreach ((string label, string[] examples) in Examples)
        {
            progress?.Report($"{label}: {examples.Length} example(s)");
            vectors[label] = MeanFeature(features, preprocessing,
                examples.Select(e => ConceptExample.Parse(e, examplesFolder)).ToArray())
                .ToArray();
        }
        return new PrototypeSet { Model = Model, About = About, Examples = Examples, Prototypes = vectors };
    }

    /// <summary>
    /// The mean of the L2-normalised pooled features of the examples and of their mirror images: a prototype for
    /// cosine similarity.
    /// </summary>
    public static float[] MeanFeature(IExplainableModel features, Preprocessing preprocessing,
        IReadOnlyList<ConceptExample> examples)
    {
        ArgumentNullException.ThrowIfNull(features);
        if (examples.Count == 0) throw new UsageException("a concept needs at least one example image");
        using DisposeScope scope = NewDisposeScope();
        using IDisposable state = features.BeginExplanation();
        using var noGrad = no_grad();
        var inputs = new List<Tensor>();
        foreach (ConceptExample example in examples)
        {
            using SKBitmap photo = ImageLoader.Load(example.Path);
            using SKBitmap crop = Crop(photo, example);
            Tensor prepared = tensor(ImagePreprocessor.Prepare(crop, preprocessing).Values,
                [3, preprocessing.Height, preprocessing.Width]);
            inputs.Add(prepared);
            inputs.Add(prepared.flip(2));
        }
        Tensor output = features.Forward(stack(inputs), ForwardTaps.None);
        Tensor pooled = output.dim() > 2 ? output.flatten(2).mean([2]) : output;
        return nn.functional.normalize(pooled, dim: 1).mean([0]).data<float>().ToArray();
    }

    /// <summary>Writes each vector on one line, so that the file stays small and diffs stay readable.</summary>
    private sealed class CompactVectorsConverter : JsonConverter<Dictionary<string, float[]>>
    {
        public override Dictionary<string, float[]>? Read(ref Utf8JsonReader reader, Type typeToConvert,
            JsonSerializerOptions options) =>
            JsonSerializer.Deserialize<Dictionary<string, float[]>>(ref reader, options);

        public override void Write(Utf8JsonWriter writer, Dictionary<string, float[]> value,
            JsonSerializerOptions options)
        {
            writer.WriteStartObject();
            foreach ((string label, float[] vector) in value)
            {
                writer.WritePropertyName(label);
                writer.WriteRawValue("[" + string.Join(",",
                    vector.Select(v => v.ToString("0.#####",
                        System.Globalization.CultureInfo.InvariantCulture))) + "]");
            }
            writer.WriteEndObject();
        }
    }

    private static SKBitmap Crop(SKBitmap photo, ConceptExample example)
    {
        if (example.Box is not { } box) return photo.Copy();
        var region = SKRectI.Intersect(new SKRectI(box.X0, box.Y0, box.X1, box.Y1),
            new SKRectI(0, 0, photo.Width, photo.Height));
        if (region.IsEmpty)
        {
            throw new UsageException($"box {box.X0},{box.Y0},{box.X1},{box.Y1} lies outside '{example.Path}' " +
                $"({photo.Width}x{photo.Height})");
        }
        using var subset = new SKBitmap();
        if (!photo.ExtractSubset(subset, region))
            throw new InvalidOperationException($"cannot crop {box} from '{example.Path}'");
        return subset.Copy();
    }
}
