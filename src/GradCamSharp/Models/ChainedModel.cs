using static TorchSharp.torch;

namespace GradCamSharp.Models;

/// <summary>
/// A fixed, differentiable preprocessing step in front of a model (e.g. a mean-subtraction graph shipped beside an
/// ONNX network). Layers and taps are those of the main model; gradients flow through the preprocessing to the input.
/// </summary>
public sealed class ChainedModel(IExplainableModel preprocessing, IExplainableModel main) : IExplainableModel, ILayerKinds
{
    /// <inheritdoc />
    public string Name => main.Name;

    /// <inheritdoc />
    public IReadOnlyList<string> LayerNames => main.LayerNames;

    /// <inheritdoc />
    public string KindOf(string name) => main is ILayerKinds kinds ? kinds.KindOf(name) : "";

    /// <inheritdoc />
    public Tensor Forward(Tensor input, ForwardTaps taps)
    {
        ArgumentNullException.ThrowIfNull(taps);
        Tensor prepared = preprocessing.Forward(input, new ForwardTaps { GuidedRelu = taps.GuidedRelu, GuidedReluWhen = taps.GuidedReluWhen });
        return main.Forward(prepared, taps);
    }

    /// <inheritdoc />
    public IDisposable BeginExplanation() => new Both(preprocessing.BeginExplanation(), main.BeginExplanation());

    private sealed class Both(IDisposable first, IDisposable second) : IDisposable
    {
        public void Dispose()
        {
            second.Dispose();
            first.Dispose();
        }
    }
}
