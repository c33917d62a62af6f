using GradCamSharp.Models;

namespace GradCamSharp.Methods;

/// <summary>
/// Options shared by the methods: the target layer and map options of the CAM methods, and the batching, progress and
/// cancellation of the perturbation methods (Score-CAM, Ablation-CAM, occlusion, SmoothGrad, Integrated Gradients).
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

    /// <summary>How a <see cref="MethodSet"/> fuses one method's maps at several layers.</summary>
    public LayerFusion LayerFusion { get; init; }

    /// <summary>
    /// How many perturbed inputs (masked, occluded, noisy, interpolated, ablated) one forward pass takes; 0 (the
    /// default) chooses from the input's size (<see cref="PerturbationBatches.DefaultSize"/>).
    /// </summary>
    public int BatchSize { get; init; }

    /// <summary>
    /// The memory a perturbation method's batch may take, in MB (512 by default): the default batch shrinks until the
    /// model's working memory for it fits (<see cref="PerturbationBatches.SizeFor"/>); an explicit
    /// <see cref="BatchSize"/> is taken as given.
    /// </summary>
    public int PerturbationMemoryMegabytes { get; init; } = 512;

    /// <summary>Told after each batch of a perturbation method how many forward passes of how many are done.</summary>
    public IProgress<MethodProgress>? Progress { get; init; }

    /// <summary>Stops a perturbation method between batches with an <see cref="OperationCanceledException"/>.</summary>
    public CancellationToken Cancellation { get; init; }
}
