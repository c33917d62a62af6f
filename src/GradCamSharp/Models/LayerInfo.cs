namespace GradCamSharp.Models;

/// <summary>A named layer and the shape of its output for one input.</summary>
/// <param name="Name">The name a target layer is addressed by.</param>
/// <param name="Shape">Its output shape, batch first.</param>
/// <param name="Kind">What produces it (a module type or an ONNX operator).</param>
/// <param name="IsSpatialFeatureMap">
/// Whether it is an [N, C, H, W] map Grad-CAM can use: more than one row and more than one column (so a channels-last
/// [1, 1, 1, 768] row is not), no larger than the input in either direction, and not a mere permutation of another
/// value. Text-line models whose last maps are one row high are explained at a named layer.
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
        bool spatial = shape.Length == 4 && inputShape.Length == 4 && shape[2] > 1 && shape[3] > 1
            && shape[2] <= inputShape[2] && shape[3] <= inputShape[3] && kind != "Transpose";
        return new LayerInfo(name, shape, kind, spatial);
    }
}
