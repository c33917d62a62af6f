using GradCamSharp.Models;

namespace GradCamSharp.Methods;

/// <summary>
/// What a CAM method takes: its target layer and its map options. A set of methods takes
/// <see cref="MethodSetOptions"/>; one run, <see cref="RunOptions"/> (batching, memory, progress, cancellation).
/// </summary>
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
    /// Several target layers, for the methods that combine layers themselves (RefineCAM multiplies its maps at each);
    /// null (the default) lets them choose from <see cref="Layer"/>. Other methods read only <see cref="Layer"/>.
    /// </summary>
    public IReadOnlyList<string>? Layers { get; init; }

    /// <summary>
    /// Eigen-smoothing (pytorch-grad-cam's eigen_smooth): the map is the projection of the weighted feature maps on
    /// their first principal component instead of their sum over channels, which removes much of the noise that
    /// channels of small weight add.
    /// </summary>
    public bool EigenSmooth { get; init; }

    /// <summary>
    /// How a token layer ([N, T, C]) folds into a map, for layouts the grid cannot be inferred for (patches that are
    /// not square, more than <see cref="TokenGrid.MostSkipped"/> leading tokens): a grid of
    /// <see cref="TokenGrid.Height"/> x <see cref="TokenGrid.Width"/> patch tokens behind
    /// <see cref="TokenGrid.Skipped"/> others. Null (the default) infers it from the input's size.
    /// </summary>
    public TokenGrid? Tokens { get; init; }
}
