using System.Text.Json.Serialization;

namespace GradCamSharp.Pipeline.Datasets;

/// <summary>One line of <c>failures.jsonl</c>: a photo of a dataset run that could not be explained.</summary>
/// <param name="Image">The photo's key (as in the manifest).</param>
/// <param name="Reason">Why, in one line.</param>
/// <param name="ExitCode">The exit code the failure would have given a run of this photo alone.</param>
/// <param name="Settings">The run's settings hash.</param>
public sealed record PhotoFailure(
    [property: JsonPropertyName("image")] string Image,
    [property: JsonPropertyName("reason")] string Reason,
    [property: JsonPropertyName("exit_code")] int ExitCode,
    [property: JsonPropertyName("settings")] string Settings);
