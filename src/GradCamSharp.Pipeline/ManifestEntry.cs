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

    /// <summary>The question, for a VQA model's answers.</summary>
    [JsonPropertyName("question")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Question { get; init; }

    /// <summary>The explained answer, for a VQA model.</summary>
    [JsonPropertyName("answer")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Answer { get; init; }

    /// <summary>The model's probability of <see cref="Answer"/>.</summary>
    [JsonPropertyName("probability")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public float? Probability { get; init; }

    /// <summary>The caption read (teacher-forced), for a captioner.</summary>
    [JsonPropertyName("caption")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Caption { get; init; }

    /// <summary>The explained word of <see cref="Caption"/>; null when the whole caption is explained.</summary>
    [JsonPropertyName("word")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Word { get; init; }

    /// <summary>The position of <see cref="Word"/> in the caption, from 0.</summary>
    [JsonPropertyName("word_index")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? WordIndex { get; init; }

    /// <summary>The panel of every word's map, for a captioner.</summary>
    [JsonPropertyName("words_panel")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? WordsPanel { get; init; }

    /// <summary>The text a recogniser read on the line, for <c>gradcam read</c>.</summary>
    [JsonPropertyName("text")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Text { get; init; }

    /// <summary>The explained character (or word, with <c>--words</c>) of <see cref="Text"/>.</summary>
    [JsonPropertyName("token")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Token { get; init; }

    /// <summary>The position of <see cref="Token"/>'s first character in <see cref="Text"/>, from 0.</summary>
    [JsonPropertyName("token_index")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? TokenIndex { get; init; }

    /// <summary>The recogniser's output frames the token was read on.</summary>
    [JsonPropertyName("frames")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<int>? Frames { get; init; }

    /// <summary>The panel of the whole line with every token's map, for <c>gradcam read</c>.</summary>
    [JsonPropertyName("line_panel")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? LinePanel { get; init; }

    /// <summary>On a page, the line the token belongs to, from 1 in reading order.</summary>
    [JsonPropertyName("line")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? Line { get; init; }

    /// <summary>On a page, the line's box as the detector found it, [x0, y0, x1, y1] in page pixels.</summary>
    [JsonPropertyName("line_box")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int[]? LineBox { get; init; }

    /// <summary>
    /// On a line too long to read at once, the window the token was read and explained in, from 1; its
    /// <see cref="Frames"/> count from that window's first column.
    /// </summary>
    [JsonPropertyName("part")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? Part { get; init; }

    /// <summary>The columns [x0, x1) of the line's picture that <see cref="Part"/> read.</summary>
    [JsonPropertyName("part_columns")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int[]? PartColumns { get; init; }
}
