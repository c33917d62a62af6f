using System.Text.Json.Serialization;

namespace GradCamSharp.Ocr;

/// <summary>What an entry of <c>gradcam read</c>'s manifest adds: the text read and the explained token.</summary>
public sealed record TokenFields
{
    /// <summary>The text the recogniser read on the line.</summary>
    [JsonPropertyName("text")] public string? Text { get; init; }

    /// <summary>The explained character (or word, with <c>--words</c>) of <see cref="Text"/>.</summary>
    [JsonPropertyName("token")] public string? Token { get; init; }

    /// <summary>The position of <see cref="Token"/>'s first character in <see cref="Text"/>, from 0.</summary>
    [JsonPropertyName("token_index")] public int? TokenIndex { get; init; }

    /// <summary>The recogniser's output frames the token was read on.</summary>
    [JsonPropertyName("frames")] public IReadOnlyList<int>? Frames { get; init; }

    /// <summary>The panel of the whole line with every token's map.</summary>
    [JsonPropertyName("line_panel")] public string? LinePanel { get; init; }

    /// <summary>On a page, the line the token belongs to, from 1 in reading order.</summary>
    [JsonPropertyName("line")] public int? Line { get; init; }

    /// <summary>On a page, the line's box as the detector found it, [x0, y0, x1, y1] in page pixels.</summary>
    [JsonPropertyName("line_box")] public int[]? LineBox { get; init; }

    /// <summary>
    /// On a line too long to read at once, the window the token was read and explained in, from 1; its
    /// <see cref="Frames"/> count from that window's first column.
    /// </summary>
    [JsonPropertyName("part")] public int? Part { get; init; }

    /// <summary>The columns [x0, x1) of the line's picture that <see cref="Part"/> read.</summary>
    [JsonPropertyName("part_columns")] public int[]? PartColumns { get; init; }
}
