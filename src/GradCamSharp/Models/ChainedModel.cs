using static TorchSharp.torch;

namespace GradCamSharp.Models;

/// <summary>
/// A fixed, differentiable preprocessing step in front of a model (e.g. a mean-subtraction graph shipped beside an
/// ONNX network). Layers and taps are those of the main model; gradients flow through the preprocessing to the input.
/// </summary>
/// <param name="preprocessing">Runs first; only Guided Backprop's ReLU rule applies inside it.</param>
/// <param name="main">The model whose layers are explained.</param>
/// <param name="leaveOpen">Whether both stay alive when the chain is disposed.</param>
public sealed class ChainedModel(IExplainableModel preprocessing, IExplainableModel main, bool leaveOpen = false)
    : IExplainableModel
{
    /// <inheritdoc />
    public string Name => main.Name;

    /// <inheritdoc />
    public string? ReluObstacle => preprocessing.ReluObstacle is null ? null : main.ReluObstacle;

    /// <inheritdoc />
    public IReadOnlyList<LayerBias> LayerBiases() => main.LayerBiases();

    /// <inheritdoc />
    public IReadOnlyList<string> AttentionLayers => main.AttentionLayers;

    /// <inheritdoc />
    public IReadOnlyList<string> LayerNames => main.LayerNames;

    /// <inheritdoc />
    public string KindOf(string layer) => main.KindOf(layer);

    /// <inheritdoc />
    public string? FindLayer(string requested) => main.FindLayer(requested);

    /// <inheritdoc />
    public IReadOnlyList<string> SuggestLayers(string requested, int count) => main.SuggestLayers(requested, count);

    /// <inheritdoc />
    public void ValidateInput(Tensor input) => preprocessing.ValidateInput(input);

    /// <inheritdoc />
    public Tensor Forward(Tensor input, ForwardTaps taps)
    {
        ArgumentNullException.ThrowIfNull(taps);
        return main.Forward(preprocessing.Forward(input, taps.WithoutLayerTaps()), taps);
    }

    /// <inheritdoc />
    public ModelTail? SplitAt(Tensor input, string layer) =>
        main.SplitAt(preprocessing.Forward(input, ForwardTaps.None), layer);

    /// <inheritdoc />
    public IDisposable BeginExplanation() =>
        new CombinedState(preprocessing.BeginExplanation(), main.BeginExplanation());

    /// <inheritdoc />
    public void Dispose()
    {
        if (leaveOpen) return;
        main.Dispose();
        preprocessing.Dispose();
    }
}
