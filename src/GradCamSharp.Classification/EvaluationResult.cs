using System.Text.Json.Serialization;

namespace GradCamSharp.Classification;

/// <summary>The paper's measures for one annotated object.</summary>
public sealed record EvaluationResult
{
    /// <summary>The method evaluated.</summary>
    [JsonPropertyName("method")] public required string Method { get; init; }

    /// <summary>The photo.</summary>
    [JsonPropertyName("image")] public required string Image { get; init; }

    /// <summary>The object's label.</summary>
    [JsonPropertyName("label")] public required string Label { get; init; }

    /// <summary>The model's top-1 class on the picture (the paper's failure modes look at objects it misses).</summary>
    [JsonPropertyName("predicted")] public string? Predicted { get; init; }

    /// <summary>The rank of the object's class among the model's scores: 1 when it is the top-1 class.</summary>
    [JsonPropertyName("true_rank")] public int? TrueRank { get; init; }

    /// <summary>
    /// When the object's class is not the top-1: whether the top-1 class is that of another annotated object of the
    /// picture (the model saw something else that is there) rather than a class absent from it (a failure such as the
    /// paper's volcano taken for a sandbar).
    /// </summary>
    [JsonPropertyName("predicted_other_object")] public bool? PredictedOtherObject { get; init; }

    /// <summary>Pointing game: the map's peak lies within 15 pixels of the box.</summary>
    [JsonPropertyName("pointing_hit")] public required bool PointingHit { get; init; }

    /// <summary>
    /// On a photo with several annotated objects: whether the map's peak lies on this object rather than on another
    /// (class discrimination); null on single-object photos.
    /// </summary>
    [JsonPropertyName("peak_on_object")] public bool? PeakOnObject { get; init; }

    /// <summary>
    /// On a photo with several annotated objects: the share of the other objects on which the map holds less of its
    /// mass than on this one (each object's box without the boxes of nearer objects); null on single-object photos.
    /// </summary>
    [JsonPropertyName("discrimination")] public double? Discrimination { get; init; }

    /// <summary>Intersection over union of the 15%-of-maximum localisation box with the annotated box.</summary>
    [JsonPropertyName("box_iou")] public required double BoxIoU { get; init; }

    /// <summary>Spearman rank correlation of the map with the occlusion map (faithfulness); null when not computed.
    /// </summary>
    [JsonPropertyName("faithfulness")] public double? Faithfulness { get; init; }

    /// <summary>
    /// Area under the score curve as the map's most salient pixels are removed first (lower is better).
    /// </summary>
    [JsonPropertyName("deletion")] public required double Deletion { get; init; }

    /// <summary>
    /// Area under the score curve as the map's most salient pixels are restored first (higher is better).
    /// </summary>
    [JsonPropertyName("insertion")] public required double Insertion { get; init; }

    /// <summary>ROAD's mean probability change, most relevant pixels removed first (lower is better); null when not
    /// computed.</summary>
    [JsonPropertyName("road_morf")] public double? RoadMostRelevantFirst { get; init; }

    /// <summary>ROAD's mean probability change, least relevant pixels removed first (higher is better).</summary>
    [JsonPropertyName("road_lerf")] public double? RoadLeastRelevantFirst { get; init; }

    /// <summary>ROAD combined, (LeRF - MoRF) / 2 (higher is better).</summary>
    [JsonPropertyName("road")] public double? Road =>
        RoadLeastRelevantFirst - RoadMostRelevantFirst is double difference ? difference / 2 : null;

    /// <summary>ARCC: the harmonic mean of coherency, 1 - complexity and ROAD (higher is better).</summary>
    [JsonPropertyName("arcc")] public double? Arcc { get; init; }

    /// <summary>ARCC's coherency: (Pearson correlation with the map of the image multiplied by the map + 1) / 2.
    /// </summary>
    [JsonPropertyName("coherency")] public double? Coherency { get; init; }

    /// <summary>ARCC's complexity: the map's mean value (lower is simpler).</summary>
    [JsonPropertyName("complexity")] public double? Complexity { get; init; }

    /// <summary>The ROAD curve, most relevant first: the probability change at each share removed.</summary>
    [JsonPropertyName("road_morf_curve")] public IReadOnlyList<float> RoadMostRelevantFirstCurve { get; init; } = [];

    /// <summary>The ROAD curve, least relevant first.</summary>
    [JsonPropertyName("road_lerf_curve")] public IReadOnlyList<float> RoadLeastRelevantFirstCurve { get; init; } =
        [];

    /// <summary>
    /// Spearman rank correlation of the map with the map of the same model with random weights (a sanity check: a
    /// method that explains the model, not the image, scores low here).
    /// </summary>
    [JsonPropertyName("randomized_similarity")] public double? RandomizedSimilarity { get; init; }

    /// <summary>Energy-based pointing: the share of the map's mass inside the box.</summary>
    [JsonPropertyName("energy_in_box")] public double EnergyInBox { get; init; }

    /// <summary>
    /// Localisation error as the paper counts it: the 15% box's IoU with the annotation is under 0.5.
    /// </summary>
    [JsonPropertyName("localisation_error")] public bool LocalisationError => BoxIoU < 0.5;

    /// <summary>On multi-object pictures: the map's share where this object is visible.</summary>
    [JsonPropertyName("own_share")] public double? OwnShare { get; init; }

    /// <summary>On multi-object pictures: the map's mean share where each other object is visible.</summary>
    [JsonPropertyName("other_share")] public double? OtherShare { get; init; }

    /// <summary>The class probability (softmax) of the picture.</summary>
    [JsonPropertyName("probability")] public double Probability { get; init; }

    /// <summary>The class probability of the picture multiplied by the map (Grad-CAM++'s protocol).</summary>
    [JsonPropertyName("explained_probability")] public double ExplainedProbability { get; init; }

    /// <summary>This picture's part of Average Drop: max(0, Y - O) / Y.</summary>
    [JsonPropertyName("drop")] public double Drop =>
        Evaluation.ConfidenceChange.Drop(Probability, ExplainedProbability);

    /// <summary>This picture's part of Increase in Confidence: O &gt; Y.</summary>
    [JsonPropertyName("increase")] public bool Increase => ExplainedProbability > Probability;

    /// <summary>The deletion curve: the score after removing each step's share of the most salient pixels.</summary>
    [JsonPropertyName("deletion_curve")] public IReadOnlyList<float> DeletionCurve { get; init; } = [];

    /// <summary>The insertion curve: the score after restoring each step's share of the most salient pixels.</summary>
    [JsonPropertyName("insertion_curve")] public IReadOnlyList<float> InsertionCurve { get; init; } = [];

    /// <summary>
    /// The sanity checks: rank correlation and SSIM of this map with the map of the model with more and more of its
    /// weights randomised from the top (cascading) and with one band randomised at a time (independent).
    /// </summary>
    [JsonPropertyName("randomization")] public IReadOnlyList<SanityStep> Randomization { get; init; } = [];
}
