using System.Text.Json.Serialization;

namespace GradCamSharp.Classification;

/// <summary>
/// One object the model did not rank first, pictured as the paper's Figure 2: the photo with the object's box, the map
/// of the class the model predicted, and the map of the object's true class.
/// </summary>
/// <param name="Image">The picture's name.</param>
/// <param name="Label">The object.</param>
/// <param name="Predicted">The model's top-1 class.</param>
/// <param name="Rank">The true class's rank among the model's scores.</param>
/// <param name="Method">The method of both maps.</param>
/// <param name="Png">The three panels side by side, PNG-encoded.</param>
public sealed record EvaluationFailure(
    [property: JsonPropertyName("image")] string Image,
    [property: JsonPropertyName("label")] string Label,
    [property: JsonPropertyName("predicted")] string Predicted,
    [property: JsonPropertyName("rank")] int Rank,
    [property: JsonPropertyName("method")] string Method,
    [property: JsonPropertyName("png")] byte[] Png)
{
    /// <summary>Whether the predicted class is that of another annotated object of the picture.</summary>
    [JsonPropertyName("other_object")] public bool OtherObject { get; init; }
}
