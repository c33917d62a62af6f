using GradCamSharp.Models;
using static TorchSharp.torch;

namespace GradCamSharp.Catalog;

/// <summary>
/// A classifier head made of prototypes: the score of class k is the cosine similarity between the input's pooled
/// feature vector and the k-th prototype (typically the mean feature of a few example crops). It turns a feature
/// extractor into something Grad-CAM can explain, one differentiable score per prototype; it is not a trained
/// classifier, and its scores are similarities in [-1, 1], not logits.
/// </summary>
/// <remarks>The head owns its feature extractor and disposes it, unless created with <c>leaveOpen</c>.</remarks>
internal sealed class PrototypeClassifier : PooledHead
{
    private readonly Tensor _prototypes;

    /// <summary>Puts a prototype head on <paramref name="features"/>.</summary>
    /// <param name="features">A model whose output is [N, D] or [N, D, H, W] features (average-pooled to [N,
    /// D]).</param>
    /// <param name="labels">One name per prototype.</param>
    /// <param name="prototypes">[K][D] prototype vectors; they are L2-normalised here.</param>
    /// <param name="leaveOpen">Whether <paramref name="features"/> stays alive when the head is disposed.</param>
    public PrototypeClassifier(IExplainableModel features, IReadOnlyList<string> labels,
        IReadOnlyList<float[]> prototypes,
        bool leaveOpen = false)
        : base(features, labels, leaveOpen)
    {
        ArgumentNullException.ThrowIfNull(prototypes);
        if (labels.Count != prototypes.Count || labels.Count == 0)
            throw new ArgumentException($"{labels.Count} labels for {prototypes.Count} prototypes");
        int dimension = prototypes[0].Length;
        if (prototypes.Any(p => p.Length != dimension)) throw new ArgumentException("prototypes differ in length");
        using Tensor stacked = tensor(prototypes.SelectMany(p => p).ToArray()).reshape(labels.Count, dimension);
        _prototypes = nn.functional.normalize(stacked, dim: 1).DetachFromDisposeScope();
    }

    /// <summary>[N, K] cosine similarities of pooled features [N, D(, H, W)] to the prototypes.</summary>
    public Tensor Similarities(Tensor features) => ScoresOfPooled(Pool(features));

    /// <inheritdoc />
    public override string Name => Features.Name + "+prototypes";

    /// <inheritdoc />
    protected override Tensor ScoresOfPooled(Tensor pooled) =>
        nn.functional.normalize(pooled, dim: 1).matmul(_prototypes.t());

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing) _prototypes.Dispose();
        base.Dispose(disposing);
    }
}
