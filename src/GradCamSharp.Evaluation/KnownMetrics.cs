namespace GradCamSharp.Evaluation;

/// <summary>
/// The metric registry: every metric <c>gradcam evaluate</c> reports, in table order, with its description and
/// direction. The command's table, <c>evaluation.json</c> and the HTML report are made from this list.
/// </summary>
public static class KnownMetrics
{
    /// <summary>Pointing game hit rate (peak within 15 px of the box).</summary>
    public const string Pointing = "pointing";

    /// <summary>Energy-based pointing: the share of the map inside the box.</summary>
    public const string Energy = "energy_pointing";

    /// <summary>The pointing game on the objects whose class is the model's top-1.</summary>
    public const string PointingWhenRight = "pointing_right";

    /// <summary>
    /// The pointing game on the objects whose class is not the model's top-1: the map of the true class still finds
    /// the object (the paper's failure modes, Figure 2).
    /// </summary>
    public const string PointingWhenWrong = "pointing_wrong";

    /// <summary>IoU of the 15%-of-max box with the annotation.</summary>
    public const string BoxIoU = "box_iou";

    /// <summary>Localisation error: the share of cases with IoU under 0.5.</summary>
    public const string LocalisationError = "localisation_error";

    /// <summary>On multi-object pictures, the map's share on the named object.</summary>
    public const string OwnShare = "own_share";

    /// <summary>On multi-object pictures, the map's mean share on each other object.</summary>
    public const string OtherShare = "other_share";

    /// <summary>
    /// On multi-object pictures, the share of (object, other) pairs where the map holds more on the object.
    /// </summary>
    public const string Discrimination = "discrimination";

    /// <summary>Rank correlation with the occlusion map.</summary>
    public const string Faithfulness = "faithfulness";

    /// <summary>Deletion area (lower is better).</summary>
    public const string Deletion = "deletion";

    /// <summary>Insertion area (higher is better).</summary>
    public const string Insertion = "insertion";

    /// <summary>ROAD combined, (LeRF - MoRF) / 2 (higher is better).</summary>
    public const string Road = "road";

    /// <summary>ROAD, most relevant first: the mean probability change (lower is better).</summary>
    public const string RoadMostRelevantFirst = "road_morf";

    /// <summary>ROAD, least relevant first: the mean probability change (higher is better).</summary>
    public const string RoadLeastRelevantFirst = "road_lerf";

    /// <summary>ARCC: harmonic mean of coherency, simplicity and ROAD (higher is better).</summary>
    public const string Arcc = "arcc";

    /// <summary>Average Drop, in percent (lower is better).</summary>
    public const string AverageDrop = "average_drop";

    /// <summary>Increase in Confidence, in percent (higher is better).</summary>
    public const string Increase = "increase_in_confidence";

    /// <summary>Rank correlation with the fully randomised model's map (lower is better).</summary>
    public const string Randomized = "randomized_similarity";

    /// <summary>Every metric, in table order.</summary>
    public static IReadOnlyList<MetricDescriptor> Registered { get; } =
    [
        new(Pointing, "pointing game: the map's peak within 15 px of the box (Zhang et al. 2016)", true),
        new(Energy, "energy-based pointing: the map's share inside the box (Wang et al. 2020)", true),
        new(PointingWhenRight, "pointing game on the objects whose class is the model's top-1", true),
        new(PointingWhenWrong, "pointing game on the objects whose class is not the top-1: the true class's map " +
            "still finds them (paper Fig. 2, failure modes)", true),
        new(BoxIoU, "IoU of the box around the largest region above 15% of the max (paper sec. 4.1)", true),
        new(LocalisationError, "share of objects with IoU < 0.5 (paper: 56.51%, VGG-16 top-1)", false),
        new(OwnShare, "multi-object pictures: the map's share where the named object is visible", true),
        new(OtherShare, "multi-object pictures: the map's mean share where each other object is", false),
        new(Discrimination, "multi-object pictures: share of pairs with more mass on the named object", true),
        new(Faithfulness, "Spearman correlation with the occlusion map (paper: Grad-CAM 0.254)", true),
        new(Deletion, "deletion area, score units, mean colour fill (Petsiuk et al. 2018; lower is better)", false),
        new(Insertion, "insertion area, score units (higher is better)", true),
        new(Road, "ROAD, (LeRF - MoRF) / 2: probability change as 10-90% of the pixels are removed and noisily " +
            "imputed (Rong et al. 2022)", true) { Decimals = 3 },
        new(RoadMostRelevantFirst, "ROAD, most relevant first: mean probability change (lower is better)", false)
        {
            Decimals = 3,
        },
        new(RoadLeastRelevantFirst, "ROAD, least relevant first: mean probability change (higher is better)", true)
        {
            Decimals = 3,
        },
        new(Arcc, "ARCC: harmonic mean of coherency, 1 - complexity and ROAD (pytorch-grad-cam 2026)", true),
        new(AverageDrop, "Average Drop %, image times map (Chattopadhyay et al. 2018; lower is better)", false)
        {
            Decimals = 1,
        },
        new(Increase, "Increase in Confidence %, image times map (higher is better)", true) { Decimals = 1 },
        new(Randomized, "Spearman with the fully randomised model's map (Adebayo et al. 2018; lower is better)",
            false),
    ];

    /// <summary>The metric called <paramref name="name"/>.</summary>
    /// <exception cref="KeyNotFoundException">No such metric.</exception>
    public static MetricDescriptor Get(string name) => Registered.FirstOrDefault(m => m.Name == name)
        ?? throw new KeyNotFoundException($"no metric '{name}'");
}
