namespace GradCamSharp.Methods;

/// <summary>What a <see cref="MethodSet"/> takes: smoothing over augmentations, how layers' maps fuse.</summary>
public sealed record MethodSetOptions
{
    /// <summary>
    /// Test-time augmentation (pytorch-grad-cam's aug_smooth): the maps of the input and of its horizontal flip, each
    /// at 0.9, 1 and 1.1 times its values, flipped back and averaged; steadier maps that line up better with objects,
    /// at six times the cost. Targets are the classes the plain input gets.
    /// </summary>
    public bool AugSmooth { get; init; }

    /// <summary>How one method's maps at several layers are fused.</summary>
    public LayerFusion LayerFusion { get; init; }
}
