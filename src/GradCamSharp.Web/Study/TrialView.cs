using System.Text.Json.Serialization;

namespace GradCamSharp.Web.Study;

/// <summary>A trial as the participant sees it: nothing here reveals the answer.</summary>
/// <param name="Trial">Its id, sent back with the answer.</param>
/// <param name="Kind">A <see cref="StudyKinds"/> name.</param>
/// <param name="Sequence">The participant's trial number, from 1.</param>
/// <param name="Prompt">The question asked.</param>
/// <param name="Images">Discrimination: the map. Trust: the left and the right model's maps.</param>
/// <param name="Options">Discrimination: the two classes (and "can't tell" is always offered). Trust: the five points
/// of the scale, from "left clearly more reasonable" (-2) to "right clearly more reasonable" (2).</param>
/// <param name="ClassLabel">Trust: the class both maps explain.</param>
internal sealed record TrialView(
    [property: JsonPropertyName("trial")] long Trial,
    [property: JsonPropertyName("kind")] string Kind,
    [property: JsonPropertyName("sequence")] int Sequence,
    [property: JsonPropertyName("prompt")] string Prompt,
    [property: JsonPropertyName("images")] IReadOnlyList<string> Images,
    [property: JsonPropertyName("options")] IReadOnlyList<string> Options,
    [property: JsonPropertyName("class_label")] string? ClassLabel);
