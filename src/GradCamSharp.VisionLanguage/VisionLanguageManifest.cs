using System.Text.Json.Serialization;

namespace GradCamSharp.VisionLanguage;

/// <summary>What a VQA model's entry of <c>explanations.json</c> adds: the question and the explained answer.</summary>
public sealed record AnswerFields
{
    /// <summary>The question.</summary>
    [JsonPropertyName("question")] public string? Question { get; init; }

    /// <summary>The explained answer.</summary>
    [JsonPropertyName("answer")] public string? Answer { get; init; }

    /// <summary>The model's probability of <see cref="Answer"/>.</summary>
    [JsonPropertyName("probability")] public float? Probability { get; init; }
}

/// <summary>What a captioner's entry of <c>explanations.json</c> adds: the caption and the explained word.</summary>
public sealed record CaptionFields
{
    /// <summary>The caption read (teacher-forced).</summary>
    [JsonPropertyName("caption")] public string? Caption { get; init; }

    /// <summary>The explained word of <see cref="Caption"/>; null when the whole caption is explained.</summary>
    [JsonPropertyName("word")] public string? Word { get; init; }

    /// <summary>The position of <see cref="Word"/> in the caption, from 0.</summary>
    [JsonPropertyName("word_index")] public int? WordIndex { get; init; }

    /// <summary>The panel of every word's map.</summary>
    [JsonPropertyName("words_panel")] public string? WordsPanel { get; init; }

    /// <summary>A phrase read on its own: the box it describes, [x0, y0, x1, y1] in the photo's pixels.</summary>
    [JsonPropertyName("box")] public int[]? Box { get; init; }

    /// <summary>A phrase with a box: whether the map's peak lies in it.</summary>
    [JsonPropertyName("peak_in_box")] public bool? PeakInBox { get; init; }

    /// <summary>Phrases read one by one: the panel of the boxes and every phrase's map.</summary>
    [JsonPropertyName("phrases_panel")] public string? PhrasesPanel { get; init; }
}
