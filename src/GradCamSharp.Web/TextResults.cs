using System.Text.Json.Serialization;

namespace GradCamSharp.Web;

/// <summary>The answer to a caption request: the caption, and the maps of the whole caption and of each word.</summary>
internal sealed record CaptionResponse(
    [property: JsonPropertyName("model")] string Model,
    [property: JsonPropertyName("caption")] string Caption,
    [property: JsonPropertyName("generated")] bool Generated,
    [property: JsonPropertyName("log_likelihood")] float LogLikelihood,
    [property: JsonPropertyName("words")] IReadOnlyList<WordResult> Words,
    [property: JsonPropertyName("panel")] string Panel);

/// <summary>One word's maps (the whole caption's when <c>word</c> is null).</summary>
internal sealed record WordResult(
    [property: JsonPropertyName("word")] string? Word,
    [property: JsonPropertyName("position")] int? Position,
    [property: JsonPropertyName("log_probability")] float LogProbability,
    [property: JsonPropertyName("maps")] IReadOnlyList<MapResult> Maps);

/// <summary>The answer to a question request: the ranked answers and the maps of the explained ones.</summary>
internal sealed record AnswerResponse(
    [property: JsonPropertyName("model")] string Model,
    [property: JsonPropertyName("question")] string Question,
    [property: JsonPropertyName("answers")] IReadOnlyList<RankedAnswer> Answers,
    [property: JsonPropertyName("explained")] IReadOnlyList<AnswerResult> Explained);

/// <summary>An answer and the model's probability of it.</summary>
internal sealed record RankedAnswer(
    [property: JsonPropertyName("answer")] string Answer,
    [property: JsonPropertyName("probability")] float Probability);

/// <summary>One explained answer's maps and their panel.</summary>
internal sealed record AnswerResult(
    [property: JsonPropertyName("answer")] string Answer,
    [property: JsonPropertyName("probability")] float Probability,
    [property: JsonPropertyName("score")] float Score,
    [property: JsonPropertyName("maps")] IReadOnlyList<MapResult> Maps,
    [property: JsonPropertyName("panel")] string? Panel);
