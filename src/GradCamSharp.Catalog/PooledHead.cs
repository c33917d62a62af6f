using GradCamSharp.Models;
using static TorchSharp.torch;

namespace GradCamSharp.Catalog;

/// <summary>
/// A head over a feature extractor's globally average-pooled output: one score per label. The layers, the input
/// check and the explanation state are the extractor's; subclasses say only how pooled features become scores.
/// </summary>
/// <remarks>The head owns its feature extractor and disposes it, unless created with <c>leaveOpen</c>.</remarks>
public abstract class PooledHead : IExplainableModel
{
    private readonly IExplainableModel _features;
    private readonly bool _leaveOpen;

    /// <summary>Puts a head with <paramref name="labels"/> on <paramref name="features"/>.</summary>
    /// <param name="features">A model whose output is [N, D] or [N, D, H, W] features.</param>
    /// <param name="labels">One name per score.</param>
    /// <param name="leaveOpen">Whether <paramref name="features"/> stays alive when the head is disposed.</param>
    protected PooledHead(IExplainableModel features, IReadOnlyList<string> labels, bool leaveOpen)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(labels);
        _features = features;
        _leaveOpen = leaveOpen;
        Labels = labels;
    }

    /// <summary>The names of the scores, in output order.</summary>
    public IReadOnlyList<string> Labels { get; }

    /// <summary>The feature extractor below the head.</summary>
    public IExplainableModel Features => _features;

    /// <inheritdoc />
    public string? ReluObstacle => _features.ReluObstacle;

    /// <inheritdoc />
    public IReadOnlyList<LayerBias> LayerBiases() => _features.LayerBiases();

    /// <inheritdoc />
    public abstract string Name { get; }

    /// <inheritdoc />
    public IReadOnlyList<string> LayerNames => _features.LayerNames;

    /// <inheritdoc />
    public string KindOf(string layer) => _features.KindOf(layer);

    /// <inheritdoc />
    public string? FindLayer(string requested) => _features.FindLayer(requested);

    /// <inheritdoc />
    public IReadOnlyList<string> SuggestLayers(string requested, int count) =>
        _features.SuggestLayers(requested, count);

    /// <inheritdoc />
    public void ValidateInput(Tensor input) => _features.ValidateInput(input);

    /// <inheritdoc />
    public Tensor Forward(Tensor input, ForwardTaps taps) => ScoresOfPooled(Pool(_features.Forward(input, taps)));

    /// <inheritdoc />
    public ModelTail? SplitAt(Tensor input, string layer) =>
        _features.SplitAt(input, layer)?.Then(features => ScoresOfPooled(Pool(features)));

    /// <inheritdoc />
    public IDisposable BeginExplanation() => _features.BeginExplanation();

    /// <inheritdoc />
    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    /// <summary>[N, D] features of [N, D] or [N, D, H, W] ones, averaged over positions.</summary>
    protected static Tensor Pool(Tensor features)
    {
        ArgumentNullException.ThrowIfNull(features);
        return features.dim() > 2 ? features.flatten(2).mean([2]) : features;
    }

    /// <summary>[N, K] scores of [N, D] pooled features.</summary>
    protected abstract Tensor ScoresOfPooled(Tensor pooled);

    /// <summary>Releases the head's tensors (in overrides) and the extractor unless left open.</summary>
    protected virtual void Dispose(bool disposing)
    {
        if (disposing && !_leaveOpen) _features.Dispose();
    }
}
