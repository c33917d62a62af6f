namespace GradCamSharp.Methods;

/// <summary>
/// How one run of <see cref="IExplainer.Explain"/> goes: the batching and memory of the methods that score perturbed
/// inputs (Score-CAM, Ablation-CAM, occlusion, SmoothGrad, Integrated Gradients), their progress, and cancellation.
/// </summary>
public sealed record RunOptions
{
    /// <summary>Defaults: batches sized from the input, 512 MB, no progress, no cancellation.</summary>
    public static RunOptions Default { get; } = new();

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
