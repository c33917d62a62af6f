using GradCamSharp.Maps;
using GradCamSharp.Models;
using GradCamSharp.Targets;
using static TorchSharp.torch;

namespace GradCamSharp.Methods;

/// <summary>
/// RefineCAM (pytorch-grad-cam's meta-method, 2026): the product of Grad-CAM++ maps at several layers, each in [0, 1],
/// scaled back to [0, 1]. A deep layer's coarse map says which object; a shallower layer's finer map says where its
/// edges are, but is noisy; their product keeps what both agree on. The layers are <see cref="CamOptions.Layers"/>
/// when given (<c>--layer</c> repeated); otherwise <see cref="CamOptions.Layer"/> (or the automatic layer) and the last
/// feature maps of the next <see cref="AutomaticLayers"/> - 1 larger resolutions before it.
/// </summary>
public sealed class RefineCam : Explainer
{
    /// <summary>How many layers the automatic choice takes, the given or automatic one included.</summary>
    public const int AutomaticLayers = 3;

    /// <summary>Creates the method for <paramref name="model"/>.</summary>
    /// <param name="model">The model.</param>
    /// <param name="options">Its layers (<see cref="CamOptions.Layers"/>, or <see cref="CamOptions.Layer"/> to start
    /// the automatic choice from).</param>
    /// <exception cref="UnknownLayerException">A layer the model does not have.</exception>
    public RefineCam(IExplainableModel model, CamOptions? options = null) : base(model)
    {
        Options = options ?? new CamOptions();
        foreach (string layer in Options.Layers ?? [Options.Layer])
        {
            if (!string.Equals(layer, ModelLayers.Auto, StringComparison.OrdinalIgnoreCase)
                && model.FindLayer(layer) is null)
                throw new UnknownLayerException(layer, model.SuggestLayers(layer, 5));
        }
    }

    /// <summary>The options in force.</summary>
    public CamOptions Options { get; }

    /// <inheritdoc />
    public override string Name => "refinecam";

    internal override string? RequestedLayer => null;

    internal override bool NeedsLayerGradient => false;

    internal override bool NeedsPixelGradient => false;

    /// <summary>
    /// The layers the map multiplies for <paramref name="input"/>: the given ones, or the automatic choice.
    /// </summary>
    /// <param name="input">[1, C, H, W] one input (the automatic choice depends on its size).</param>
    public IReadOnlyList<string> LayersFor(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (Options.Layers is { Count: > 0 } given)
            return given.Select(layer => ModelLayers.Resolve(Model, layer, input)).Distinct().ToArray();
        string last = ModelLayers.Resolve(Model, Options.Layer, input);
        IReadOnlyList<LayerInfo> layers = ModelLayers.DescribedOnce(Model, input);
        int at = layers.Select((layer, index) => layer.Name == last ? index : -1).Max();
        var chosen = new List<string> { last };
        long cells = at >= 0 ? Cells(layers[at]) : long.MaxValue;
        for (int i = at - 1; i >= 0 && chosen.Count < AutomaticLayers; i--)
        {
            if (!layers[i].IsSpatialFeatureMap || Cells(layers[i]) <= cells) continue;
            chosen.Add(layers[i].Name);
            cells = Cells(layers[i]);
        }
        return chosen;
    }

    private static long Cells(LayerInfo layer) =>
        layer.Tokens is TokenGrid grid ? (long)grid.Height * grid.Width : layer.Shape[^2] * layer.Shape[^1];

    internal override IReadOnlyList<Explanation> Interpret(PassResult pass, ScoreColumn column,
        ColumnGradients gradients) =>
        column.Entries.Select(entry =>
        {
            int classIndex = entry.ClassIndex
                ?? throw new UsageException($"{Name} multiplies maps of a class at several layers: use class or " +
                    "top-k targets");
            Tensor input = pass.Input.narrow(0, entry.Sample, 1);
            IReadOnlyList<string> layers = LayersFor(input);
            var product = Enumerable.Repeat(1f, (int)(pass.Height * pass.Width)).ToArray();
            foreach (string layer in layers)
            {
                var method = new GradCamPlusPlus(Model, Options with { Layer = layer, Layers = null });
                float[] map = method.Explain(input, new ClassTarget(classIndex)).Single().Heatmap.Values;
                for (int i = 0; i < product.Length; i++) product[i] *= map[i];
            }
            float peak = product.Max();
            if (peak > 0)
            {
                for (int i = 0; i < product.Length; i++) product[i] /= peak;
            }
            return entry.Explained(Name, Explanation.JoinLayers(layers),
                new Heatmap((int)pass.Width, (int)pass.Height, product));
        }).ToList();
}
