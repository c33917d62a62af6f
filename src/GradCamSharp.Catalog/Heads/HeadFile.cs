using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace GradCamSharp.Catalog.Heads;

/// <summary>
/// A trained linear head as a reviewable JSON file: the labels, the recipe it was trained with (so that
/// <c>gradcam train-head</c> reproduces it), the examples it learnt from, what it scored on held-out scenes, and
/// its weights.
/// </summary>
public sealed class HeadFile
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };
    private static readonly JsonSerializerOptions StrictJson = UntrustedJson.Strict();

    /// <summary>What the weights apply to: the feature extractor and its layer.</summary>
    [JsonPropertyName("model")] public required string Model { get; init; }

    /// <summary>How the file was made.</summary>
    [JsonPropertyName("about")] public string? About { get; init; }

    /// <summary>The class names in logit order.</summary>
    [JsonPropertyName("labels")] public required IReadOnlyList<string> Labels { get; init; }

    /// <summary>The label meaning "none of the others", if any.</summary>
    [JsonPropertyName("background")] public string? Background { get; init; }

    /// <summary>The training recipe.</summary>
    [JsonPropertyName("training")] public required HeadTrainingOptions Training { get; init; }

    /// <summary>What the head scored on held-out scenes.</summary>
    [JsonPropertyName("held_out")] public HeadScores? HeldOut { get; init; }

    /// <summary>The annotated examples, as photo#x0,y0,x1,y1 per label.</summary>
    [JsonPropertyName("examples")] public IReadOnlyDictionary<string, IReadOnlyList<string>> Examples { get; init; } =
        new Dictionary<string, IReadOnlyList<string>>();

    /// <summary>[K][D] weights.</summary>
    [JsonPropertyName("weights")]
    [JsonConverter(typeof(CompactRowsConverter))]
    public required IReadOnlyList<float[]> Weights { get; init; }

    /// <summary>[K] biases.</summary>
    [JsonPropertyName("bias")] public required IReadOnlyList<float> Bias { get; init; }

    /// <summary>Reads a head file.</summary>
    /// <exception cref="UnreadableInputException">Missing or malformed.</exception>
    public static HeadFile Load(string path)
    {
        HeadFile head = UntrustedJson.Read<HeadFile>(path, "head file", StrictJson);
        if (head.Weights.Count != head.Labels.Count || head.Bias.Count != head.Labels.Count)
            throw new UnreadableInputException($"head file '{path}' has weights for a different number of labels");
        if (head.Weights.Select(w => w.Length).Distinct().Count() > 1)
            throw new UnreadableInputException($"head file '{path}' has weight rows of different lengths");
        return head;
    }

    /// <summary>Writes the file (through a temporary file and a rename).</summary>
    public void Save(string path)
    {
        string temporary = path + ".partial";
        File.WriteAllText(temporary, JsonSerializer.Serialize(this, Json));
        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>Writes each weight row on one line, so that the file stays small and diffs stay readable.</summary>
    private sealed class CompactRowsConverter : JsonConverter<IReadOnlyList<float[]>>
    {
        public override IReadOnlyList<float[]>? Read(ref Utf8JsonReader reader, Type typeToConvert,
            JsonSerializerOptions options) => JsonSerializer.Deserialize<float[][]>(ref reader, options);

        public override void Write(Utf8JsonWriter writer, IReadOnlyList<float[]> value, JsonSerializerOptions options)
        {
            writer.WriteStartArray();
            foreach (float[] row in value)
                writer.WriteRawValue("[" + string.Join(",",
                    row.Select(v => v.ToString("G6", CultureInfo.InvariantCulture))) + "]");
            writer.WriteEndArray();
        }
    }
}

/// <summary>How a trained head did on held-out scenes (scene indices it never trained on).</summary>
/// <param name="CellAccuracy">The share of feature-map cells classified as the object (or background) covering
/// them.</param>
/// <param name="ImageAccuracy">The share of scenes whose top object class is one of the objects in them.</param>
/// <param name="Scenes">How many held-out scenes.</param>
public sealed record HeadScores(
    [property: JsonPropertyName("cell_accuracy")] double CellAccuracy,
    [property: JsonPropertyName("image_accuracy")] double ImageAccuracy,
    [property: JsonPropertyName("scenes")] int Scenes);
