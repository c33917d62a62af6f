using System.Text.Json.Serialization;

namespace GradCamSharp.Web.Study;

/// <summary>Trust for one method: how much more reasonable model A's maps were judged than model B's.</summary>
/// <param name="Method">The method.</param>
/// <param name="ModelA">The model ratings favour when positive.</param>
/// <param name="ModelB">The other model.</param>
/// <param name="Answers">Ratings.</param>
/// <param name="MeanRating">The mean rating, -2 (B clearly more reasonable) to 2 (A clearly more reasonable).</param>
/// <param name="Low">The 95% interval's lower end (normal approximation; null under two ratings).</param>
/// <param name="High">Its upper end.</param>
public sealed record TrustResult(
    [property: JsonPropertyName("method")] string Method,
    [property: JsonPropertyName("model_a")] string ModelA,
    [property: JsonPropertyName("model_b")] string ModelB,
    [property: JsonPropertyName("answers")] int Answers,
    [property: JsonPropertyName("mean_rating")] double MeanRating,
    [property: JsonPropertyName("ci_low")] double? Low,
    [property: JsonPropertyName("ci_high")] double? High);
