using System.Text.Json.Serialization;

namespace GradCamSharp.Web.Study;

/// <summary>A participant's answer to one trial.</summary>
/// <param name="Participant">The anonymous id the trial was given to.</param>
/// <param name="Trial">The trial's id.</param>
/// <param name="Choice">Discrimination: one of the classes offered, or <see cref="StudyDatabase.CannotTell"/>.</param>
/// <param name="Prefer">Trust: -2 (left clearly more reasonable) .. 2 (right clearly more reasonable).</param>
internal sealed record TrialAnswer(
    [property: JsonPropertyName("participant")] string Participant,
    [property: JsonPropertyName("trial")] long Trial,
    [property: JsonPropertyName("choice")] string? Choice,
    [property: JsonPropertyName("prefer")] int? Prefer);
