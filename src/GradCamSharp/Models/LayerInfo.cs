namespace GradCamSharp.Models;

/// <summary>A named layer and the shape of its output for one input.</summary>
/// <param name="Name">The name a target layer is addressed by.</param>
/// <param name="Shape">Its output shape, batch first.</param>
/// <param name="Kind">What produces it (a module type or an ONNX operator).</param>
public sealed record LayerInfo(string Name, long[] Shape, string Kind)
{
    /// <summary>True for a [N, C, H, W] output with more than one spatial position: a map Grad-CAM can use.</summary>
    public bool IsSpatialFeatureMap => Shape.Length == 4 && Shape[2] * Shape[3] > 1;
}
