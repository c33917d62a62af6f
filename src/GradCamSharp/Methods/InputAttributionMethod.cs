using GradCamSharp.Maps;
using GradCamSharp.Models;
using static TorchSharp.torch;

namespace GradCamSharp.Methods;

/// <summary>
/// The base of the input attributions (vanilla gradient, Gradient x Input, SmoothGrad, Integrated Gradients): a
/// per-pixel map of a class score's sensitivity, computed from the plain gradient with respect to the input (no
/// modified ReLUs, unlike Guided Backprop). The one hook is <see cref="Attribute"/>; the gradients of any batch of
/// inputs, taken in batches with respect to the inputs only, are the shared machinery.
/// </summary>
public abstract class InputAttributionMethod : Explainer
{
    /// <summary>Creates the method.</summary>
    /// <param name="model">The model.</param>
    protected InputAttributionMethod(IExplainableModel model) : base(model)
    {
    }

    internal override string? RequestedLayer => null;

    internal override bool NeedsLayerGradient => false;

    internal override bool NeedsPixelGradient => false;

    /// <summary>
    /// The taps of the forward passes whose gradients are taken: none (plain backpropagation) unless a method changes
    /// the backward rule (Deconvnet's ReLUs).
    /// </summary>
    protected virtual ForwardTaps GradientTaps => ForwardTaps.None;

    /// <summary>The one hook: the attribution of class <paramref name="classIndex"/> for one input.</summary>
    /// <param name="input">[1, C, H, W] the model input.</param>
    /// <param name="classIndex">The class whose score is attributed.</param>
    /// <param name="run">The run's batching, progress and cancellation, for <see cref="Gradients"/>.</param>
    /// <returns>[C, H, W] the attribution.</returns>
    protected abstract Tensor Attribute(Tensor input, int classIndex, RunOptions run);

    /// <summary>
    /// The gradients of class <paramref name="classIndex"/>'s score with respect to each of <paramref name="inputs"/>,
    /// [B, C, H, W], computed in batches of the run's size.
    /// </summary>
    protected Tensor Gradients(Tensor inputs, int classIndex, RunOptions run)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(run);
        using IDisposable gradientMode = enable_grad();
        var parts = new List<Tensor>();
        int batchSize = PerturbationBatches.SizeFor(run, inputs, Model);
        foreach ((long start, int count) in PerturbationBatches.Of(inputs.shape[0], batchSize, Name, run))
        {
            Tensor batch = inputs.narrow(0, start, count).detach().requires_grad_(true);
            int relus = 0;
            Tensor output = Model.Forward(batch, GradientTaps with { ReluMet = () => relus++ });
            if (GradientTaps.DeconvnetRelu && relus == 0) throw ForwardTaps.NoRelu(Name);
            Tensor score = output.reshape(count, -1)[.., classIndex].sum();
            parts.Add(autograd.grad([score], [batch])[0].detach());
        }
        return cat(parts, 0);
    }

    internal sealed override IReadOnlyList<Explanation> Interpret(PassResult pass, ScoreColumn column,
        ColumnGradients gradients) =>
        column.Entries.Select(entry =>
        {
            int classIndex = entry.ClassIndex
                ?? throw new UsageException($"{Name} attributes a class score: use class or top-k targets");
            Tensor input = pass.Input.narrow(0, entry.Sample, 1);
            Attribution attribution = GuidedBackprop.ToAttribution(Attribute(input, classIndex, pass.Run));
            return entry.Explained(Name, GuidedBackprop.InputLayer, attribution.Saliency()) with
            {
                Attribution = attribution,
            };
        }).ToList();
}
