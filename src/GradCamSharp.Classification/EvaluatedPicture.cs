using System.Text.Json.Serialization;

namespace GradCamSharp.Classification;

/// <summary>
/// One picture's part of an evaluation: a line of <c>records.jsonl</c>, from which an evaluation streamed, resumed or
/// sharded is summarised exactly as one run in one go (see <see cref="EvaluationRecords"/>).
/// </summary>
/// <param name="Image">The picture: its name relative to the images folder in a record, the case's image otherwise.
/// </param>
/// <param name="Index">Its place among the run's pictures, which orders the results as one run would.</param>
/// <param name="Results">Its objects' results, per object and method.</param>
/// <param name="Thumbnails">The thumbnails of its objects, for those among the run's first.</param>
public sealed record EvaluatedPicture(
    [property: JsonPropertyName("image")] string Image,
    [property: JsonPropertyName("index")] int Index,
    [property: JsonPropertyName("results")] IReadOnlyList<EvaluationResult> Results,
    [property: JsonPropertyName("thumbnails")] IReadOnlyList<EvaluationThumbnail> Thumbnails)
{
    /// <summary>Its objects the model did not rank first, pictured (for the report's gallery of failure modes).
    /// </summary>
    [JsonPropertyName("failures")] public IReadOnlyList<EvaluationFailure> Failures { get; init; } = [];

    /// <summary>In a record: the hash of the run's settings (see <c>DatasetRun.HashOf</c>).</summary>
    [JsonPropertyName("settings")] public string? Settings { get; init; }
}
