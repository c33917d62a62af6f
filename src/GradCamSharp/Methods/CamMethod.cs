using GradCamSharp.Maps;
using GradCamSharp.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace GradCamSharp.Methods;

/// <summary>
/// The class-activation-map algorithm: capture the target layer's activations A, differentiate the score with respect
/// to A alone, weight the maps, L = ReLU(sum_k w_k A^k), upsample bilinearly to the input. Methods differ only in
/// <see cref="Weights"/>. Nothing before the target layer is recorded for autograd: parameters are frozen and the
/// activation becomes the graph's only leaf.
/// </summary>
public abstract class CamMethod : GradientExplainer
{
    private readonly Dictionary<string, string> _autoLayers = new(StringComparer.Ordinal);

    /// <summary>Creates the method for <paramref name="model"/>.</summary>
    protected CamMethod(IExplainableModel model, CamOptions? options = null) : base(model)
    {
        Options = options ?? new CamOptions();
    }

    /// <summary>The options in force.</summary>
    public CamOptions Options { get; }

    /// <summary>The method's own name, without the counterfactual suffix.</summary>
    protected abstract string MethodName { get; }

    /// <inheritdoc />
    public override string Name => !Options.Counterfactual ? MethodName
        : MethodName == "gradcam" ? "counterfactual" : $"{MethodName}-counterfactual";

    /// <summary>The one hook: the weights of the feature maps.</summary>
    /// <returns>[N, K, 1, 1] channel weights, or [N, K, h, w] element-wise weights.</returns>
    protected abstract Tensor Weights(CamContext context);

    /// <summary>Resolves <see cref="CamOptions.Layer"/> for inputs shaped like <paramref name="input"/>, caching <c>auto</c>.</summary>
    public string ResolveLayer(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (Options.Layer != ModelLayers.Auto)
        {
            if (!Model.LayerNames.Contains(Options.Layer, StringComparer.Ordinal))
                throw new UnknownLayerException(Options.Layer, Model.LayerNames);
            return Options.Layer;
        }
        string key = string.Join("x", input.shape.Skip(1));
        if (!_autoLayers.TryGetValue(key, out string? layer))
        {
            using var probe = input[..1].detach();
            layer = ModelLayers.Resolve(Model, ModelLayers.Auto, probe).Name;
            _autoLayers[key] = layer;
        }
        return layer;
    }

    /// <inheritdoc />
    protected override ForwardResult RunForward(Tensor input, DisposeScope scope)
    {
        string layer = ResolveLayer(input);
        Tensor? activations = null;
        var taps = new ForwardTaps
        {
            Layer = layer,
            ReplaceLayerOutput = output =>
            {
                // The model's own dispose scopes end before the backward pass, so the leaf moves to ours; the model
                // gets a copy, which it may dispose or modify in place.
                activations = output.detach().requires_grad_(true).OwnedBy(scope);
                return activations.clone();
            },
        };
        Tensor output = Model.Forward(input, taps);
        if (activations is null)
            throw new InvalidOperationException($"layer '{layer}' did not run in the forward pass of {Model.Name}");
        return new ForwardResult(output, activations, layer, input.shape[2], input.shape[3], input);
    }

    internal override IReadOnlyList<Explanation> Interpret(ForwardResult forward, Tensor gradient, ScoreColumn column)
    {
        if (forward.DifferentiateWith.dim() != 4)
            throw new InvalidOperationException($"layer '{forward.Layer}' has shape [{string.Join(", ", forward.DifferentiateWith.shape)}]; CAM methods need [N, C, H, W]");
        Tensor samples = tensor(column.Entries.Select(entry => (long)entry.Sample).ToArray());
        Tensor activations = forward.DifferentiateWith.detach().index_select(0, samples);
        Tensor gradients = gradient.index_select(0, samples);
        if (Options.Counterfactual) gradients = gradients.neg();

        var context = new CamContext(activations, gradients, forward.Input?.index_select(0, samples), column.Entries.Select(e => e.ClassIndex).ToArray());
        Tensor raw = (Weights(context) * activations).sum(1).relu();
        Tensor heat = UpsampleAndNormalise(raw, forward.InputHeight, forward.InputWidth);
        return column.Entries.Select((entry, k) => new Explanation
        {
            Method = Name,
            Layer = forward.Layer,
            SampleIndex = entry.Sample,
            TargetName = entry.TargetName,
            ClassIndex = entry.ClassIndex,
            Score = entry.Score,
            Heatmap = ToHeatmap(heat[k]),
            RawMap = ToHeatmap(raw[k]),
        }).ToList();
    }

    private static Heatmap ToHeatmap(Tensor map) =>
        new((int)map.shape[1], (int)map.shape[0], map.contiguous().to(ScalarType.Float32).cpu().data<float>().ToArray());
}
