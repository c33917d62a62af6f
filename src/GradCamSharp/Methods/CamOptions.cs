using GradCamSharp.Models;

namespace GradCamSharp.Methods;

/// <summary>Options shared by the CAM methods.</summary>
public sealed record CamOptions
{
    /// <summary>
    /// The target layer: an exact layer name, or <see cref="ModelLayers.Auto"/> (the default) for the last spatial
    /// feature map.
    /// </summary>
    public string Layer { get; init; } = ModelLayers.Auto;

    /// <summary>
    /// Explain what lowers the score instead of what raises it, by negating the gradients (Grad-CAM, sec. 5.3,
    /// "counterfactual explanations").
    /// </summary>
    public bool Counterfactual { get; init; }

    /// <summary>
    /// Eigen-smoothing (pytorch-grad-cam's eigen_smooth): the map is the projection of the weighted feature maps on
    /// their first principal component instead of their sum over channels, which removes much of the noise that
    /// channels of small weight add.
    /// </summary>
    public bool EigenSmooth { get; init; }

    /// <summary>
    /// Test-time augmentation (pytorch-grad-cam's aug_smooth): the maps of the input and of its horizontal flip, each
    /// at 0.9, 1 and 1.1 times its values, flipped back and averaged; steadier maps that line up better with objects,
    /// at six times the cost. Applies to a whole <see cref="MethodSet"/>; targets are the classes the plain input
    /// gets.
    /// </summary>
    public bool AugSmooth { get; init; }
}
