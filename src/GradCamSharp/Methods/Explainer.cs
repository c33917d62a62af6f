using GradCamSharp.Models;
using GradCamSharp.Targets;
using static TorchSharp.torch;

namespace GradCamSharp.Methods;

/// <summary>
/// The base of every method in this library. A method says what it reads from a forward pass (a target layer's
/// activations, the gradient there, the guided gradient at the input) and how it turns one score's gradients into
/// explanations; <see cref="ExplanationPass"/> runs the pass once for any set of methods (<see cref="MethodSet"/>).
/// </summary>
/// <remarks>
/// Explainers keep no tensors between calls. Concurrent calls on one model take turns (they hook the same modules);
/// calls on different models run in parallel.
/// </remarks>
public abstract class Explainer : IExplainer
{
    private protected Explainer(IExplainableModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        Model = model;
    }

    /// <summary>The model being explained.</summary>
    public IExplainableModel Model { get; }

    /// <inheritdoc />
    public abstract string Name { get; }

    /// <summary>
    /// The target layer as the caller named it, or null for methods that attribute to the input only.
    /// </summary>
    internal abstract string? RequestedLayer { get; }

    /// <summary>How the target layer's tokens fold into a map, when the caller gave it; null infers it.</summary>
    internal virtual TokenGrid? RequestedTokens => null;

    /// <summary>
    /// Values the method reads from the pass's own forward, without gradients (attention rollout's attention); the
    /// pass keeps them in <see cref="PassResult.Observed"/>.
    /// </summary>
    internal virtual IReadOnlyList<string> ObservedLayers => [];

    /// <summary>Whether the method reads the gradient of the score at the target layer.</summary>
    internal abstract bool NeedsLayerGradient { get; }

    /// <summary>Whether the method reads the guided gradient of the score at the input pixels.</summary>
    internal abstract bool NeedsPixelGradient { get; }

    /// <summary>
    /// Whether the method explains a volume model ([N, C, D, H, W] input) at a volume map: those that weigh the map's
    /// positions alike, whatever their arrangement (see <see cref="ExplanationPass"/>).
    /// </summary>
    internal virtual bool ExplainsVolumes => false;

    /// <inheritdoc />
    public IReadOnlyList<Explanation> Explain(Tensor input, IReadOnlyList<IReadOnlyList<ITarget>> targetsPerSample,
        RunOptions? run = null) =>
        ExplanationPass.Explain(Model, input, targetsPerSample, [this], run ?? RunOptions.Default);

    /// <summary>
    /// Explains every sample of <paramref name="input"/> for the same targets (the top-1 class if none): the call the
    /// examples make, on the explainer itself so that no extra <c>using</c> is needed.
    /// </summary>
    /// <param name="input">[N, C, H, W] model input.</param>
    /// <param name="targets">The scores to explain for every sample.</param>
    /// <returns>Explanations ordered by sample, then by target.</returns>
    /// <exception cref="UsageException">A target or layer that does not fit the model or the method.</exception>
    /// <example><code>var maps = new GradCam(model).Explain(input, new ClassTarget(281));</code></example>
    public IReadOnlyList<Explanation> Explain(Tensor input, params ITarget[] targets) =>
        Explain(input, ExplainerExtensions.SameForEverySample(input, targets));

    /// <summary>
    /// Explains every sample of <paramref name="input"/> for the same targets, stopping between batches of perturbed
    /// inputs when <paramref name="cancellation"/> fires and telling <paramref name="progress"/> after each.
    /// </summary>
    /// <param name="input">[N, C, H, W] model input.</param>
    /// <param name="cancellation">Checked between batches (Score-CAM, Ablation-CAM, occlusion, SmoothGrad...).</param>
    /// <param name="progress">The method and how many of its batches are done.</param>
    /// <param name="targets">The scores to explain for every sample.</param>
    /// <returns>Explanations ordered by sample, then by target.</returns>
    /// <exception cref="UsageException">A target or layer that does not fit the model or a method.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellation"/> fired.</exception>
    public IReadOnlyList<Explanation> Explain(Tensor input, CancellationToken cancellation,
        IProgress<MethodProgress>? progress, params ITarget[] targets) =>
        Explain(input, ExplainerExtensions.SameForEverySample(input, targets),
            new RunOptions { Cancellation = cancellation, Progress = progress });

    /// <summary>
    /// Turns the gradients of one score column into one explanation per entry of the column, in entry order.
    /// </summary>
    internal abstract IReadOnlyList<Explanation> Interpret(PassResult pass, ScoreColumn column,
        ColumnGradients gradients);
}
