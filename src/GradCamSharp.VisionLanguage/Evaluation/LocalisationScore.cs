using GradCamSharp.Evaluation;
using GradCamSharp.Maps;
using System.Text.Json.Serialization;

namespace GradCamSharp.VisionLanguage.Evaluation;

/// <summary>How well one method's maps at one layer find the objects their targets are about.</summary>
public sealed class LocalisationScore
{
    /// <summary>The method.</summary>
    [JsonPropertyName("method")] public required string Method { get; init; }

    /// <summary>The layer explained.</summary>
    [JsonPropertyName("layer")] public required string Layer { get; init; }

    /// <summary>Maps scored: caption words that name an object, or answers about one object.</summary>
    [JsonPropertyName("targets")] public int Targets { get; set; }

    /// <summary>Maps whose maximum lies inside the object's box.</summary>
    [JsonPropertyName("hits")] public int Hits { get; set; }

    /// <summary>The pointing game's accuracy.</summary>
    [JsonPropertyName("pointing")] public double Pointing => Targets == 0 ? 0 : Hits / (double)Targets;

    /// <summary>The mean over maps of the mean map value inside the object's box.</summary>
    [JsonPropertyName("inside")] public double Inside => Targets == 0 ? 0 : InsideSum / Targets;

    /// <summary>The mean over maps of the mean map value outside the object's box.</summary>
    [JsonPropertyName("outside")] public double Outside => Targets == 0 ? 0 : OutsideSum / Targets;

    /// <summary>The paper's caption metric: <see cref="Inside"/> over <see cref="Outside"/>.</summary>
    [JsonPropertyName("inside_over_outside")] public double Ratio => Outside <= 0 ? 0 : Inside / Outside;

    /// <summary>
    /// Pointing per kind of target: per question type for VQA answers, "color" and "noun" for caption words.
    /// </summary>
    [JsonPropertyName("pointing_by_kind")]
    public SortedDictionary<string, Tally> PointingByKind { get; } = new(StringComparer.Ordinal);

    /// <summary>
    /// Dense captioning: of the maps for an object that is not the scene's leftmost, the share whose peak lies on the
    /// leftmost object instead (a captioner that reads scenes left to right may send a lone phrase there); null for
    /// other tasks.
    /// </summary>
    [JsonPropertyName("peak_on_leftmost")]
    public double? PeakOnLeftmost => NotLeftmost == 0 ? null : OnLeftmost / (double)NotLeftmost;

    /// <summary>Dense captioning: maps for an object that is not the scene's leftmost.</summary>
    [JsonPropertyName("not_leftmost")] public int NotLeftmost { get; set; }

    /// <summary>
    /// Dense captioning: of the maps for an object in a scene of several, the share whose peak lies on another
    /// object rather than on this one (the rest of the misses peak on the background); null for other tasks.
    /// </summary>
    [JsonPropertyName("peak_on_other_object")]
    public double? PeakOnOtherObject => AmongOthers == 0 ? null : OnOtherObject / (double)AmongOthers;

    /// <summary>Dense captioning: maps for an object in a scene of several.</summary>
    [JsonPropertyName("among_others")] public int AmongOthers { get; set; }

    /// <summary>
    /// Segmentation: the mean over maps of the share of the map's mass inside the class's exact mask; null for tasks
    /// scored against boxes.
    /// </summary>
    [JsonPropertyName("mass_inside")]
    public double? MassInside => MassTargets == 0 ? null : MassInsideSum / MassTargets;

    /// <summary>
    /// Counts one map scored against a region: whether its peak lies there, its mean there and elsewhere, and the
    /// share of its mass there.
    /// </summary>
    internal void Count(bool hit, double inside, double outside, double massInside)
    {
        Targets++;
        if (hit) Hits++;
        InsideSum += inside;
        OutsideSum += outside;
        MassInsideSum += massInside;
        MassTargets++;
    }

    /// <summary>
    /// <see cref="Count(bool, double, double, double)"/> for a map at the scene's size and the pixels
    /// <paramref name="region"/> holds (<see cref="MapRegions"/>).
    /// </summary>
    internal void Count(Heatmap map, Func<int, int, bool> region, bool hit)
    {
        (double inside, double outside) = MapRegions.Means(map, region);
        Count(hit, inside, outside, MapRegions.Share(map, region));
    }

    [JsonIgnore] internal int MassTargets { get; set; }

    [JsonIgnore] internal double MassInsideSum { get; set; }

    [JsonIgnore] internal int OnOtherObject { get; set; }

    [JsonIgnore] internal int OnLeftmost { get; set; }

    [JsonIgnore] internal double InsideSum { get; set; }

    [JsonIgnore] internal double OutsideSum { get; set; }
}
