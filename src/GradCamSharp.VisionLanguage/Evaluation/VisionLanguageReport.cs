using System.Text.Json.Serialization;

namespace GradCamSharp.VisionLanguage.Evaluation;

/// <summary>
/// What <c>gradcam evaluate --task caption|vqa|dense-caption|classify|segment</c> measured on held-out scenes.
/// </summary>
public sealed class VisionLanguageReport
{
    /// <summary>The model.</summary>
    [JsonPropertyName("model")] public required string Model { get; init; }

    /// <summary>"captioner" or "vqa".</summary>
    [JsonPropertyName("task")] public required string Task { get; init; }

    /// <summary>The world the scenes came from.</summary>
    [JsonPropertyName("world")] public required string World { get; init; }

    /// <summary>How many scenes.</summary>
    [JsonPropertyName("scenes")] public required int Scenes { get; init; }

    /// <summary>Their seed (never a training seed).</summary>
    [JsonPropertyName("seed")] public required int Seed { get; init; }

    /// <summary>VQA: answers right and questions asked, per question type.</summary>
    [JsonPropertyName("accuracy")]
    public SortedDictionary<string, Tally> Accuracy { get; } = new(StringComparer.Ordinal);

    /// <summary>VQA: the share of all questions answered right.</summary>
    [JsonPropertyName("overall_accuracy")]
    public double? OverallAccuracy => Accuracy.Count == 0 ? null
        : Accuracy.Values.Sum(t => t.Right) / (double)Math.Max(1, Accuracy.Values.Sum(t => t.Total));

    /// <summary>Captioner: the share of greedy captions equal to the canonical one.</summary>
    [JsonPropertyName("exact_match")] public double? ExactMatch { get; set; }

    /// <summary>Captioner: corpus BLEU-4 of greedy captions against the canonical ones.</summary>
    [JsonPropertyName("bleu4")] public double? Bleu4 { get; set; }

    /// <summary>Captioner: the beam width its captions were decoded with (1: greedily).</summary>
    [JsonPropertyName("beam_width")] public int? BeamWidth { get; init; }

    /// <summary>Dense captioning: whether each phrase was explained with the end's log-probability (as a whole
    /// caption) or by its words alone; null for other tasks.</summary>
    [JsonPropertyName("phrase_end")] public bool? PhraseEnd { get; init; }

    /// <summary>Segmentation: the mean over classes of the intersection over union of predicted and true pixels.
    /// </summary>
    [JsonPropertyName("mean_iou")] public double? MeanIoU { get; set; }

    /// <summary>Detector: mean average precision at an IoU of 0.5 (PASCAL VOC's) over the classes present.</summary>
    [JsonPropertyName("map50")] public double? MeanAveragePrecision { get; set; }

    /// <summary>Pointing and inside/outside per method and layer.</summary>
    [JsonPropertyName("localisation")] public List<LocalisationScore> Localisation { get; } = [];

    /// <summary>
    /// The pointing accuracy of a map whose maximum falls anywhere at random: the mean share of the image the
    /// objects' boxes cover.
    /// </summary>
    [JsonPropertyName("chance_pointing")] public double ChancePointing { get; set; }

    /// <summary>Questions or captions left out because the model does not know a word or an answer in them.</summary>
    [JsonPropertyName("skipped")] public int Skipped { get; set; }
}

/// <summary>A count of right answers.</summary>
public sealed class Tally
{
    /// <summary>Answered right.</summary>
    [JsonPropertyName("right")] public int Right { get; set; }

    /// <summary>Asked.</summary>
    [JsonPropertyName("total")] public int Total { get; set; }

    /// <summary>The share answered right.</summary>
    [JsonPropertyName("accuracy")] public double Rate => Total == 0 ? 0 : Right / (double)Total;
}
