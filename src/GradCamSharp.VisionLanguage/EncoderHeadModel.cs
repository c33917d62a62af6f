using GradCamSharp.Models;
using static TorchSharp.torch;

namespace GradCamSharp.VisionLanguage;

/// <summary>
/// An image encoder followed by a head that also reads text held fixed (a question, a caption): one explainable
/// model whose layers are the encoder's, under their own names, and the head's, prefixed with <c>head.</c>. Either
/// may be explained; Guided Backpropagation's ReLU rule runs through both.
/// </summary>
/// <param name="encoder">Image in, [N, C, h, w] features out.</param>
/// <param name="head">Features in, scores out, the text fixed inside it.</param>
/// <param name="leaveOpen">Whether both stay alive when this model is disposed (the loaded model owns them).</param>
internal sealed class EncoderHeadModel(IExplainableModel encoder, IExplainableModel head, bool leaveOpen = true)
    : IExplainableModel
{
    /// <summary>The prefix of the head's layer names.</summary>
    public const string HeadPrefix = "head.";

    /// <inheritdoc />
    public string Name => $"{encoder.Name}+{head.Name}";

    /// <inheritdoc />
    public string? ReluObstacle => encoder.ReluObstacle is null ? null : head.ReluObstacle;

    /// <inheritdoc />
    public IReadOnlyList<LayerBias> LayerBiases() => encoder.LayerBiases();

    /// <inheritdoc />
    public IReadOnlyList<string> LayerNames { get; } =
        [.. encoder.LayerNames, .. head.LayerNames.Where(n => n.Length > 0).Select(n => HeadPrefix + n)];

    /// <inheritdoc />
    public string KindOf(string layer) =>
        HeadLayer(layer) is string inHead ? head.KindOf(inHead) : encoder.KindOf(layer);

    /// <inheritdoc />
    public string? FindLayer(string requested)
    {
        ArgumentNullException.ThrowIfNull(requested);
        if (HeadLayer(requested) is string inHead) return head.FindLayer(inHead) is string found ? HeadPrefix + found
            : null;
        return encoder.FindLayer(requested);
    }

    /// <inheritdoc />
    public void ValidateInput(Tensor input) => encoder.ValidateInput(input);

    /// <inheritdoc />
    public Tensor Forward(Tensor input, ForwardTaps taps)
    {
        ArgumentNullException.ThrowIfNull(taps);
        Action<string, Tensor>? observe = taps.ObserveEveryLayer;
        bool inHead = taps.Layer is not null && HeadLayer(taps.Layer) is not null;
        ForwardTaps encoderTaps = inHead ? taps.WithoutLayerTaps() with
        {
            ObserveEveryLayer = observe,
            ReplaceEveryLayerOutput = taps.ReplaceEveryLayerOutput,
        } : taps;
        ForwardTaps headTaps = taps.WithoutLayerTaps() with
        {
            Layer = inHead ? HeadLayer(taps.Layer!) : null,
            ReplaceLayerOutput = inHead ? taps.ReplaceLayerOutput : null,
            ObserveEveryLayer = observe is null ? null : (name, value) => observe(HeadPrefix + name, value),
        };
        return head.Forward(encoder.Forward(input, encoderTaps), headTaps);
    }

    /// <inheritdoc />
    public ModelTail? SplitAt(Tensor input, string layer)
    {
        ArgumentNullException.ThrowIfNull(layer);
        if (HeadLayer(layer) is string inHead) return head.SplitAt(encoder.Forward(input, ForwardTaps.None), inHead);
        return encoder.SplitAt(input, layer)?.Then(features => head.Forward(features, ForwardTaps.None));
    }

    /// <inheritdoc />
    public IDisposable BeginExplanation() => new CombinedState(encoder.BeginExplanation(), head.BeginExplanation());

    /// <inheritdoc />
    public void Dispose()
    {
        if (leaveOpen) return;
        head.Dispose();
        encoder.Dispose();
    }

    private static string? HeadLayer(string layer) =>
        layer.StartsWith(HeadPrefix, StringComparison.Ordinal) ? layer[HeadPrefix.Length..] : null;
}
