using System.Text.Json;
using System.Text.Json.Serialization;

namespace GradCamSharp.Pipeline;

/// <summary>One line of <c>explanations.json</c>: one method's map of one class on one photo.</summary>
public sealed record ManifestEntry
{
    /// <summary>The photo, as given.</summary>
    [JsonPropertyName("image")] public required string Image { get; init; }

    /// <summary>The model's name.</summary>
    [JsonPropertyName("model")] public required string Model { get; init; }

    /// <summary>The target layer ("input" for pixel attributions).</summary>
    [JsonPropertyName("layer")] public required string Layer { get; init; }

    /// <summary>The method.</summary>
    [JsonPropertyName("method")] public required string Method { get; init; }

    /// <summary>The explained class, if the target is a class.</summary>
    [JsonPropertyName("class_index")] public int? ClassIndex { get; init; }

    /// <summary>Its label, where the model has labels.</summary>
    [JsonPropertyName("class_label")] public string? ClassLabel { get; init; }

    /// <summary>The target score (before softmax).</summary>
    [JsonPropertyName("score")] public required float Score { get; init; }

    /// <summary>
    /// What <see cref="Score"/> is: "logit" (before the softmax, as the paper explains), "similarity", ...
    /// </summary>
    [JsonPropertyName("score_kind")] public string? ScoreKind { get; init; }

    /// <summary>The PNG written, relative to the output folder.</summary>
    [JsonPropertyName("file")] public required string File { get; init; }

    /// <summary>
    /// The map's values (float32, the photo's size) as a NumPy .npy file, with <c>--save-maps</c>; null otherwise.
    /// </summary>
    [JsonPropertyName("map_file")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? MapFile { get; init; }

    /// <summary>
    /// [x, y] of the map's maximum, in the photo's pixels (those of the written maps; see <see cref="Scale"/>). For
    /// pixel attributions (Guided Backprop, Guided Grad-CAM) the maximum of their smoothed magnitude.
    /// </summary>
    [JsonPropertyName("peak")] public required int[] Peak { get; init; }

    /// <summary>
    /// [x0, y0, x1, y1] in the photo's pixels: the largest region above 15% of the maximum (null if the map is empty);
    /// for pixel attributions, of their smoothed magnitude.
    /// </summary>
    [JsonPropertyName("box")] public int[]? Box { get; init; }

    /// <summary>The side-by-side panel this map appears in, relative to the output folder; null when none.</summary>
    [JsonPropertyName("panel")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Panel { get; init; }

    /// <summary>
    /// Written-map pixels per pixel of the photo file, when a photo larger than the output size was decoded
    /// downscaled (peak and box are in the written maps' pixels); null at full size.
    /// </summary>
    [JsonPropertyName("scale")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public float? Scale { get; init; }

    /// <summary>How a transformer's token layer became the map; null for a layer that is a map.</summary>
    [JsonPropertyName("tokens")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public ManifestTokens? Tokens { get; init; }

    /// <summary>
    /// In a dataset run's <c>explanations.jsonl</c>, the hash of the run's settings (see
    /// <see cref="Datasets.DatasetRun.HashOf"/>): a resumed run or a merge of shards mixes no other settings' maps.
    /// </summary>
    [JsonPropertyName("settings")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Settings { get; init; }

    /// <summary>
    /// What a task adds to the shared fields (a VQA model's question and answer, a caption's word, a read line's
    /// token), written after them; set with <see cref="With{T}(T)"/> and read back with <see cref="Fields{T}"/>, so
    /// that this record knows no task.
    /// </summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? TaskFields { get; init; }

    /// <summary>
    /// This entry with <paramref name="fields"/> as its <typeparamref name="T"/> fields: every property
    /// <typeparamref name="T"/> declares is replaced (a null one removed), in <typeparamref name="T"/>'s order.
    /// </summary>
    public ManifestEntry With<T>(T fields) where T : class
    {
        ArgumentNullException.ThrowIfNull(fields);
        var declared = TaskFieldJson.GetTypeInfo(typeof(T)).Properties.Select(p => p.Name).ToHashSet();
        var merged = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach ((string name, JsonElement value) in TaskFields ?? [])
            if (!declared.Contains(name)) merged[name] = value;
        using JsonDocument added = JsonSerializer.SerializeToDocument(fields, TaskFieldJson);
        foreach (JsonProperty property in added.RootElement.EnumerateObject())
            merged[property.Name] = property.Value.Clone();
        return this with { TaskFields = merged };
    }

    /// <summary>This entry with its <typeparamref name="T"/> fields changed by <paramref name="change"/>.</summary>
    public ManifestEntry With<T>(Func<T, T> change) where T : class, new()
    {
        ArgumentNullException.ThrowIfNull(change);
        return With(change(Fields<T>()));
    }

    /// <summary>The task's fields as <typeparamref name="T"/>; null properties where the entry has none.</summary>
    public T Fields<T>() where T : class, new()
    {
        if (TaskFields is null) return new T();
        return JsonSerializer.Deserialize<T>(JsonSerializer.SerializeToUtf8Bytes(TaskFields), TaskFieldJson)!;
    }

    private static readonly JsonSerializerOptions TaskFieldJson = new()
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        TypeInfoResolver = new System.Text.Json.Serialization.Metadata.DefaultJsonTypeInfoResolver(),
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };
}
