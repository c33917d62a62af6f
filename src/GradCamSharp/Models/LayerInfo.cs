namespace GradCamSharp.Models;

/// <summary>A named layer and the shape of its output for one input.</summary>
/// <param name="Name">The name a target layer is addressed by.</param>
/// <param name="Shape">Its output shape, batch first.</param>
/// <param name="Kind">What produces it (a module type or an ONNX operator).</param>
/// <param name="IsSpatialFeatureMap">
/// Whether it is an [N, C, H, W] map Grad-CAM can use: more than one row and more than one column (so a channels-last
/// [1, 1, 1, 768] row is not), no larger than the input in either direction, and not a mere permutation of another
/// value; for a volume model, an [N, C, D, H, W] map by the same rules along its three axes. Text-line models whose
/// last maps are one row high are explained at a named layer.
/// </param>
public sealed record LayerInfo(string Name, long[] Shape, string Kind, bool IsSpatialFeatureMap)
{
    /// <summary>
    /// Describes the output <paramref name="shape"/> of a layer run on an input of <paramref name="inputShape"/>.
    /// </summary>
    public static LayerInfo Of(string name, long[] shape, string kind, long[] inputShape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        ArgumentNullException.ThrowIfNull(inputShape);
        bool channelsLast = IsChannelsLastMap(shape, inputShape);
        bool spatial = channelsLast || (shape.Length == 4 && inputShape.Length == 4 && shape[2] > 1 && shape[3] > 1
            && shape[2] <= inputShape[2] && shape[3] <= inputShape[3] && kind != "Transpose")
            || IsVolumeMap(shape, inputShape) && kind != "Transpose";
        // Tokens of the input's own samples (not a [heads, T, d] or [T, N, C] arrangement) that tile the input.
        TokenGrid? tokens = shape.Length == 3 && inputShape.Length == 4 && shape[0] == inputShape[0] && shape[2] > 1
            ? TokenGrid.Infer(shape[1], inputShape[2], inputShape[3]) : null;
        return new LayerInfo(name, shape, kind, spatial)
        {
            Tokens = tokens is { Height: > 1, Width: > 1 } ? tokens : null,
            IsChannelsLast = channelsLast,
        };
    }

    /// <summary>
    /// Whether a value of a volume model (input [N, C, D, H, W]) is a volume map, [N, K, d, h, w], more than one cell
    /// along each axis and no larger than the input along any.
    /// </summary>
    internal static bool IsVolumeMap(long[] shape, long[] inputShape) =>
        shape.Length == 5 && inputShape.Length == 5 && shape[0] == inputShape[0]
        && Enumerable.Range(2, 3).All(axis => shape[axis] > 1 && shape[axis] <= inputShape[axis]);

    /// <summary>
    /// Whether a 4-D value is a channels-last map, [N, h, w, C] (a Swin's blocks): its dimensions 1 and 2 tile the
    /// input at one stride, and dimensions 2 and 3 do not (which they would for an [N, C, h, w] map).
    /// </summary>
    internal static bool IsChannelsLastMap(long[] shape, long[] inputShape)
    {
        static bool Tiles(long rows, long columns, long height, long width) => rows > 1 && columns > 1
            && height % rows == 0 && width % columns == 0 && height / rows == width / columns;
        return shape.Length == 4 && inputShape.Length == 4 && shape[0] == inputShape[0]
            && Tiles(shape[1], shape[2], inputShape[2], inputShape[3])
            && !Tiles(shape[2], shape[3], inputShape[2], inputShape[3]);
    }

    /// <summary>
    /// How the layer's tokens fold into a map, where it is a transformer's [N, tokens, C] whose patch tokens tile the
    /// input in more than one row and column; null otherwise.
    /// </summary>
    public TokenGrid? Tokens { get; init; }

    /// <summary>
    /// Whether the layer is a channels-last map, [N, h, w, C] (a Swin's blocks): methods read it as [N, C, h, w].
    /// </summary>
    public bool IsChannelsLast { get; init; }
}
