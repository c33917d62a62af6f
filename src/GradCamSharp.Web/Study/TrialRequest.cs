using System.Text.Json.Serialization;

namespace GradCamSharp.Web.Study;

/// <summary>A request for the next trial.</summary>
/// <param name="Participant">The participant's anonymous id (8 to 64 letters, digits or dashes).</param>
internal sealed record TrialRequest([property: JsonPropertyName("participant")] string Participant);
