using GradCamSharp.Maps;
using GradCamSharp.Models;
using static TorchSharp.torch;

namespace GradCamSharp.Methods;

/// <summary>
/// The class-activation-map algorithm: take the target layer's activations A and the score's gradient there, weight
/// the maps, L = ReLU(sum_k w_k A^k), upsample bilinearly to the input and scale to [0, 1]. Methods differ only in
/// <see cref="Weights"/>.
/// </summary>
public abstract class CamMethod : Explainer
{
    /// <summary>Creates the method for <paramref name="model"/>.</summary>
    /// <exception cref="UnknownLayerException">The options name a layer the model does not have: found here, when
    /// the method is made, rather than at its first explanation.</exception>
    protected CamMethod(IExplainableModel model, CamOptions? options = null) : base(model)
    {
        Options = options ?? new CamOptions();
        if (!string.Equals(Options.Layer, ModelLayers.Auto, StringComparison.OrdinalIgnoreCase)
            && model.FindLayer(Options.Layer) is null)
            throw new UnknownLayerException(Options.Layer, model.SuggestLayers(Options.Layer, 5));
    }

    /// <summary>The options in force.</summary>
    public CamOptions Options { get; }

    /// <summary>The method's own name, without the counterfactual suffix.</summary>
    protected abstract string MethodName { get; }

    /// <summary>
    /// Whether <see cref="Weights"/> reads <see cref="CamContext.Gradients"/> (false for Eigen-CAM, Score-CAM).
    /// </summary>
    protected virtual bool UsesGradients => true;

    /// <inheritdoc />
    public override string Name => !Options.Counterfactual ? MethodName
        : MethodName == KnownMethods.GradCam ? KnownMethods.Counterfactual : $"{MethodName}-counterfactual";

    /// <summary>The hook of most methods: the weights of the feature maps, which <see cref="Map"/> sums.</summary>
    /// <returns>[N, K, 1, 1] channel weights, or [N, K, h, w] element-wise weights.</returns>
    /// <exception cref="NotSupportedException">A method that overrides <see cref="Map"/> instead.</exception>
    protected virtual Tensor Weights(CamContext context) =>
        throw new NotSupportedException($"{GetType().Name} overrides neither Weights nor Map");

    /// <summary>
    /// The map before the ReLU: sum_k w_k A^k with <see cref="Weights"/> (or, with
    /// <see cref="CamOptions.EigenSmooth"/>, the weighted maps' projection on their first principal component).
    /// Methods whose map is no weighted sum (KPCA-CAM, Seg-Eigen-CAM) override this instead.
    /// </summary>
    /// <returns>[N, h, w] maps.</returns>
    protected virtual Tensor Map(CamContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        Tensor weighted = Weights(context) * context.Activations;
        return Options.EigenSmooth ? FirstComponent(weighted) : weighted.sum(1);
    }

    internal sealed override string? RequestedLayer => Options.Layer;

    internal sealed override TokenGrid? RequestedTokens => Options.Tokens;

    internal sealed override bool NeedsLayerGradient => UsesGradients;

    internal sealed override bool NeedsPixelGradient => false;

    /// <summary>
    /// True for the methods whose weights and map treat the layer's positions alike (a spatial mean or sum, weights per
    /// position, principal components over positions); false for those that run the model again from the layer or
    /// mask the input with the upsampled maps.
    /// </summary>
    internal override bool ExplainsVolumes => true;

    internal sealed override IReadOnlyList<Explanation> Interpret(PassResult pass, ScoreColumn column,
        ColumnGradients gradients)
    {
        Tensor samples = tensor(column.Entries.Select(entry => (long)entry.Sample).ToArray());
        Tensor activations = pass.Activations!.index_select(0, samples);
        Tensor layerGradients = gradients.Layer?.index_select(0, samples) ?? zeros_like(activations);
        if (Options.Counterfactual) layerGradients = layerGradients.neg();

        var context = new CamContext(activations, layerGradients, pass.Input.index_select(0, samples),
            column.Entries.Select(e => e.ClassIndex).ToArray(), pass.Layer!, pass.Run)
        {
            Origin = (pass, column.Entries.Select(e => e.Sample).ToArray()),
        };
        Tensor raw = Map(context).relu();
        if (pass.LayerDepth > 0) return VolumeExplanations(pass, column, raw);
        Tensor heat = UpsampleAndNormalise(raw, pass.Height, pass.Width);
        return column.Entries.Select((entry, k) =>
            entry.Explained(Name, pass.Layer!, ToHeatmap(heat[k])) with { RawMap = ToHeatmap(raw[k]) }).ToList();
    }

    /// <summary>
    /// Maps of a volume layer, computed with its depth folded into the rows: unfolded, upsampled trilinearly to the
    /// input volume and scaled to [0, 1]; the heatmap is their projection along the depth (the largest value).
    /// </summary>
    private List<Explanation> VolumeExplanations(PassResult pass, ScoreColumn column, Tensor raw)
    {
        Tensor volumes = raw.reshape(raw.shape[0], pass.LayerDepth, -1, raw.shape[2]);
        Tensor heat = Normalise(nn.functional.interpolate(volumes.unsqueeze(1),
            size: [pass.Depth, pass.Height, pass.Width], mode: InterpolationMode.Trilinear, align_corners: false)
            .squeeze(1));
        return column.Entries.Select((entry, k) => entry.Explained(Name, pass.Layer!, ToHeatmap(heat[k].amax([0])))
            with { Volume = ToVolume(heat[k]), RawVolume = ToVolume(volumes[k]) }).ToList();
    }

    /// <summary>A [d, h, w] map as a volume map.</summary>
    private static VolumeMap ToVolume(Tensor map) =>
        new((int)map.shape[0], (int)map.shape[1], (int)map.shape[2],
            map.contiguous().to(ScalarType.Float32).cpu().data<float>().ToArray());

    /// <summary>[N, K, h, w] maps projected on their first principal direction: [N, h, w].</summary>
    private static Tensor FirstComponent(Tensor weighted)
    {
        Tensor direction = EigenCam.PrincipalDirection(weighted);
        return (weighted * direction.reshape(weighted.shape[0], weighted.shape[1], 1, 1)).sum(1);
    }

    /// <summary>A bilinear upsampling of [n, h, w] maps to the input size, each then scaled to [0, 1].</summary>
    internal static Tensor UpsampleAndNormalise(Tensor maps, long height, long width)
    {
        Tensor upsampled = nn.functional.interpolate(maps.unsqueeze(1), size: [height, width],
            mode: InterpolationMode.Bilinear, align_corners: false).squeeze(1);
        return Normalise(upsampled);
    }

    /// <summary>Each map of [n, ...] scaled to [0, 1] (an all-equal map to 0).</summary>
    private static Tensor Normalise(Tensor maps)
    {
        Tensor flat = maps.flatten(1);
        Tensor minimum = flat.amin([1], keepdim: true);
        Tensor range = flat.amax([1], keepdim: true) - minimum;
        return ((flat - minimum) / range.clamp_min(1e-30)).view_as(maps);
    }

    /// <summary>An [h, w] map as a heatmap.</summary>
    internal static Heatmap ToHeatmap(Tensor map) =>
        new((int)map.shape[1], (int)map.shape[0],
            map.contiguous().to(ScalarType.Float32).cpu().data<float>().ToArray());
}
