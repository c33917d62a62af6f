using TorchSharp;
using static TorchSharp.torch;

namespace GradCamSharp.Models;

/// <summary>
/// A model split at a layer for one input: the layer's output, and the rest of the model as a function of a batch of
/// replacements for it. Methods that perturb a layer's output (Ablation-CAM) run only the tail, many times, instead of
/// the whole model.
/// </summary>
public sealed class ModelTail
{
    private readonly Func<Tensor, Tensor> _run;

    /// <summary>A tail whose layer output is <paramref name="layerOutput"/> and whose rest is
    /// <paramref name="run"/>.</summary>
    /// <param name="layerOutput">[1, ...] the layer's output for the input.</param>
    /// <param name="run">[B, ...] replacements for the layer's output to [B, ...] model outputs.</param>
    /// <param name="tailOnly">Whether <paramref name="run"/> runs only what follows the layer.</param>
    public ModelTail(Tensor layerOutput, Func<Tensor, Tensor> run, bool tailOnly)
    {
        ArgumentNullException.ThrowIfNull(layerOutput);
        ArgumentNullException.ThrowIfNull(run);
        LayerOutput = layerOutput;
        _run = run;
        TailOnly = tailOnly;
    }

    /// <summary>[1, ...] the layer's output for the input the model was split on.</summary>
    public Tensor LayerOutput { get; }

    /// <summary>
    /// Whether <see cref="Run"/> runs only the layers after the split (false: the whole model runs, with the layer's
    /// output replaced, because the model cannot run its tail alone).
    /// </summary>
    public bool TailOnly { get; }

    /// <summary>The model's outputs when the layer's output is each of <paramref name="layerOutputs"/>.</summary>
    /// <param name="layerOutputs">[B, ...] replacements, shaped like <see cref="LayerOutput"/> but for the
    /// batch.</param>
    /// <returns>[B, ...] the outputs, e.g. [B, classes] logits.</returns>
    public Tensor Run(Tensor layerOutputs)
    {
        ArgumentNullException.ThrowIfNull(layerOutputs);
        Tensor output = _run(layerOutputs);
        if (output.shape[0] != layerOutputs.shape[0])
            throw new InvalidOperationException($"the model's tail gave {output.shape[0]} outputs for " +
                $"{layerOutputs.shape[0]} layer values");
        return output;
    }

    /// <summary>This tail followed by <paramref name="next"/> (a head on top of a feature extractor).</summary>
    public ModelTail Then(Func<Tensor, Tensor> next)
    {
        ArgumentNullException.ThrowIfNull(next);
        return new ModelTail(LayerOutput, values => next(_run(values)), TailOnly);
    }

    /// <summary>
    /// Splits <paramref name="model"/> at <paramref name="layer"/> for <paramref name="input"/>: only the tail runs
    /// where the model supports it (<see cref="IExplainableModel.SplitAt"/>), otherwise the whole model runs each time
    /// with the layer's output replaced.
    /// </summary>
    /// <param name="model">The model.</param>
    /// <param name="input">[1, C, H, W] one input.</param>
    /// <param name="layer">A name from <see cref="IExplainableModel.LayerNames"/>.</param>
    public static ModelTail Split(IExplainableModel model, Tensor input, string layer)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(input);
        ArgumentException.ThrowIfNullOrEmpty(layer);
        if (input.shape[0] != 1) throw new ArgumentException("a model is split for one input at a time", nameof(input));
        if (model.SplitAt(input, layer) is ModelTail tail) return tail;
        Tensor captured;
        using (DisposeScope pass = NewDisposeScope())
        {
            // A copy owned here: models may free or modify in place a layer's output once consumed, and their own
            // dispose scopes end before Forward returns.
            Tensor? copy = null;
            model.Forward(input, new ForwardTaps
            {
                Layer = layer,
                ReplaceLayerOutput = value =>
                {
                    copy = value.detach().clone().OwnedBy(pass);
                    return value;
                },
            });
            captured = (copy ?? throw new UnknownLayerException(layer, model.SuggestLayers(layer, 5)))
                .MoveToOuterDisposeScope();
        }
        return new ModelTail(captured, values =>
        {
            Tensor inputs = input.expand([values.shape[0], .. input.shape[1..]]);
            return model.Forward(inputs, new ForwardTaps { Layer = layer, ReplaceLayerOutput = _ => values.clone() });
        }, tailOnly: false);
    }
}
