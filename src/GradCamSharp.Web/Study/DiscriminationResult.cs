using System.Text.Json.Serialization;

namespace GradCamSharp.Web.Study;

/// <summary>Class discrimination for one method: how often participants named the class its maps explained.</summary>
/// <param name="Method">The method.</param>
/// <param name="Answers">Trials answered.</param>
/// <param name="Correct">Answers naming the explained class.</param>
/// <param name="CannotTell">Answers of "can't tell" (counted as not correct, as a wrong guess would be).</param>
/// <param name="Accuracy">Correct / Answers.</param>
/// <param name="Low">The 95% Wilson score interval's lower end.</param>
/// <param name="High">Its upper end.</param>
public sealed record DiscriminationResult(
    [property: JsonPropertyName("method")] string Method,
    [property: JsonPropertyName("answers")] int Answers,
    [property: JsonPropertyName("correct")] int Correct,
    [property: JsonPropertyName("cannot_tell")] int CannotTell,
    [property: JsonPropertyName("accuracy")] double Accuracy,
    [property: JsonPropertyName("ci_low")] double Low,
    [property: JsonPropertyName("ci_high")] double High);
