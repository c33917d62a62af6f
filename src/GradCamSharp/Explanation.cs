using GradCamSharp.Maps;

namespace GradCamSharp;

/// <summary>
/// What one method says about one target score of one input sample. A record, so that a variant (a flipped, fused or
/// averaged map) is the same explanation <c>with</c> other maps.
/// </summary>
public sealed record Explanation
{
    /// <summary>The method, e.g. "gradcam", "guided-backprop".</summary>
    public required string Method { get; init; }

    /// <summary>
    /// The target layer, or "input" for methods that attribute to the input pixels; a map made at several layers
    /// (fused, or RefineCAM's) names them in order, joined by <see cref="JoinLayers"/>.
    /// </summary>
    public required string Layer { get; init; }

    /// <summary>The <see cref="Layer"/> of a map made at <paramref name="layers"/>: their names joined by '+'.
    /// </summary>
    public static string JoinLayers(IEnumerable<string> layers) => string.Join(LayerSeparator, layers);

    /// <summary>The layers a <see cref="Layer"/> of <see cref="JoinLayers"/> names, in order.</summary>
    public static string[] SplitLayers(string layer)
    {
        ArgumentNullException.ThrowIfNull(layer);
        return layer.Split(LayerSeparator);
    }

    private const char LayerSeparator = '+';

    /// <summary>Which sample of the batch this explains.</summary>
    public required int SampleIndex { get; init; }

    /// <summary>The target's description, e.g. "top-1" or "class 238".</summary>
    public required string TargetName { get; init; }

    /// <summary>The explained class, where the target is a class.</summary>
    public int? ClassIndex { get; init; }

    /// <summary>The target score (a logit, before softmax).</summary>
    public required float Score { get; init; }

    /// <summary>
    /// [H, W] at input resolution, in [0, 1]; for attribution methods the saliency of <see cref="Attribution"/>.
    /// </summary>
    public required Heatmap Heatmap { get; init; }

    /// <summary>The raw map at the target layer's resolution, not normalised (CAM methods only).</summary>
    public Heatmap? RawMap { get; init; }

    /// <summary>
    /// For a volume model, the map at input resolution, in [0, 1] (then <see cref="Heatmap"/> is its largest value
    /// along the depth); null for an image.
    /// </summary>
    public VolumeMap? Volume { get; init; }

    /// <summary>For a volume model, the raw map at the target layer's resolution; null for an image.</summary>
    public VolumeMap? RawVolume { get; init; }

    /// <summary>The per-channel input attribution (Guided Backprop, Guided Grad-CAM).</summary>
    public Attribution? Attribution { get; init; }

    /// <summary>
    /// How the layer's tokens became the map, where the layer is a transformer's [N, tokens, C]; null for a map.
    /// </summary>
    public Models.TokenGrid? Tokens { get; init; }
}
