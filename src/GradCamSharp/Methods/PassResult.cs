using static TorchSharp.torch;

namespace GradCamSharp.Methods;

/// <summary>What one forward pass of <see cref="ExplanationPass"/> produced.</summary>
/// <param name="Input">[N, C, H, W] the model input, detached ([N, C, D, H, W] for a volume model).</param>
/// <param name="Layer">The resolved target layer, or null when no method reads one.</param>
/// <param name="Activations">[N, K, h, w] the target layer's output, or null (a volume layer's [N, K, d * h, w]: see
/// <see cref="LayerDepth"/>).</param>
/// <param name="Run">The run's batching, memory, progress and cancellation.</param>
internal sealed record PassResult(Tensor Input, string? Layer, Tensor? Activations, RunOptions Run)
{
    /// <summary>The values of <see cref="Explainer.ObservedLayers"/>, detached, by name.</summary>
    public IReadOnlyDictionary<string, Tensor> Observed { get; init; } = new Dictionary<string, Tensor>();

    /// <summary>
    /// The depth of a volume layer, whose <see cref="Activations"/> hold its slices one below the other; 0 for a map.
    /// </summary>
    public long LayerDepth { get; init; }

    /// <summary>Per sample, the classes its targets score in this pass, in column order.</summary>
    public IReadOnlyList<IReadOnlyList<int>> SampleClasses { get; init; } = [];

    /// <summary>Perturbed inputs' scores, kept for the pass's later targets of the same sample.</summary>
    public PerturbedScores Perturbed { get; } = new();

    /// <summary>The input volume's depth (1 for an image).</summary>
    public long Depth => Input.dim() == 5 ? Input.shape[2] : 1;

    /// <summary>The input's height.</summary>
    public long Height => Input.shape[^2];

    /// <summary>The input's width.</summary>
    public long Width => Input.shape[^1];
}

/// <summary>The gradients of one score column.</summary>
/// <param name="Layer">d(score)/d(activations), or null when no method asked for it.</param>
/// <param name="Pixels">The guided gradient at the input, or null when no method asked for it.</param>
internal sealed record ColumnGradients(Tensor? Layer, Tensor? Pixels);
