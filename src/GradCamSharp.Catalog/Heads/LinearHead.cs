using GradCamSharp.Models;
using static TorchSharp.torch;

namespace GradCamSharp.Catalog.Heads;

/// <summary>
/// A linear classifier over a feature extractor's globally average-pooled output: logits = W pool(A) + b. Its scores
/// are logits, explained before the softmax as the Grad-CAM paper does; with a global-average-pool + linear head,
/// Grad-CAM equals CAM exactly. One class may be a "background" class that top-k choices leave out.
/// </summary>
/// <remarks>The head owns its feature extractor and disposes it, unless created with <c>leaveOpen</c>.</remarks>
public sealed class LinearHead : PooledHead
{
    private readonly Tensor _weights;
    private readonly Tensor _bias;

    /// <summary>Puts a linear head on <paramref name="features"/>.</summary>
    /// <param name="features">A model whose output is [N, D] or [N, D, H, W] features (average-pooled to [N,
    /// D]).</param>
    /// <param name="labels">One name per class.</param>
    /// <param name="weights">[K][D] weights, one row per class.</param>
    /// <param name="bias">[K] biases.</param>
    /// <param name="background">The label of the class that means "none of the others", if any.</param>
    /// <param name="leaveOpen">Whether <paramref name="features"/> stays alive when the head is disposed.</param>
    public LinearHead(IExplainableModel features, IReadOnlyList<string> labels, IReadOnlyList<float[]> weights,
        IReadOnlyList<float> bias, string? background = null, bool leaveOpen = false)
        : base(features, labels, leaveOpen)
    {
        ArgumentNullException.ThrowIfNull(weights);
        ArgumentNullException.ThrowIfNull(bias);
        if (labels.Count == 0 || weights.Count != labels.Count || bias.Count != labels.Count)
            throw new ArgumentException($"{labels.Count} labels, {weights.Count} weight rows and {bias.Count} biases");
        int dimension = weights[0].Length;
        if (weights.Any(w => w.Length != dimension)) throw new ArgumentException("weight rows differ in length");
        if (background is not null && !labels.Contains(background))
            throw new ArgumentException($"the background label '{background}' is not among the labels");
        Background = background;
        using Tensor rows = tensor(weights.SelectMany(w => w).ToArray()).reshape(labels.Count, dimension);
        _weights = rows.t().contiguous().DetachFromDisposeScope();
        _bias = tensor(bias.ToArray()).DetachFromDisposeScope();
    }

    /// <summary>The background class's label, if the head has one.</summary>
    public string? Background { get; }

    /// <summary>The index of the background class, or null.</summary>
    public int? BackgroundIndex => Background is null ? null : Labels.ToList().IndexOf(Background);

    /// <summary>[N, K] logits of features [N, D(, H, W)], pooled over positions.</summary>
    public Tensor Logits(Tensor features) => ScoresOfPooled(Pool(features));

    /// <inheritdoc />
    public override string Name => Features.Name + "+linear";

    /// <inheritdoc />
    protected override Tensor ScoresOfPooled(Tensor pooled) => pooled.matmul(_weights) + _bias;

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _weights.Dispose();
            _bias.Dispose();
        }
        base.Dispose(disposing);
    }
}
