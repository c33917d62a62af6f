using GradCamSharp.Maps;
using GradCamSharp.Models;

namespace GradCamSharp.Methods;

/// <summary>
/// Guided Grad-CAM (Grad-CAM, sec. 3.1): Guided Backpropagation multiplied point-wise by a CAM map upsampled to the
/// input, giving maps that are both high-resolution and class-discriminative. The paper combines it with Grad-CAM;
/// any CAM method may take its place, and the explanation is then labelled by what it combines
/// (<c>guided-scorecam</c>, <c>guided-counterfactual</c>, ...). Both halves come from one forward pass.
/// </summary>
public sealed class GuidedGradCam : Explainer
{
    private readonly CamMethod _cam;

    /// <summary>
    /// The paper's Guided Grad-CAM: <see cref="GradCam"/> with <paramref name="options"/> times Guided Backprop.
    /// </summary>
    public GuidedGradCam(IExplainableModel model, CamOptions? options = null) : this(new GradCam(model, options)) { }

    /// <summary>Guided Backprop times the map of <paramref name="cam"/> (its model, layer and options).</summary>
    public GuidedGradCam(CamMethod cam) : base(cam?.Model ?? throw new ArgumentNullException(nameof(cam)))
    {
        _cam = cam;
    }

    /// <summary>The CAM method whose map guides the pixels.</summary>
    public CamMethod Cam => _cam;

    /// <inheritdoc />
    public override string Name => KnownMethods.GuidedPrefix + _cam.Name;

    internal override string? RequestedLayer => _cam.RequestedLayer;

    internal override TokenGrid? RequestedTokens => _cam.RequestedTokens;

    internal override bool NeedsLayerGradient => _cam.NeedsLayerGradient;

    internal override bool NeedsPixelGradient => true;

    internal override IReadOnlyList<Explanation> Interpret(PassResult pass, ScoreColumn column,
        ColumnGradients gradients)
    {
        IReadOnlyList<Explanation> cams = _cam.Interpret(pass, column, gradients);
        return cams.Select((cam, k) => Combine(Name, cam,
            GuidedBackprop.ToAttribution(gradients.Pixels![column.Entries[k].Sample])))
            .ToList();
    }

    /// <summary>
    /// Multiplies a guided-backprop attribution by a CAM heatmap of the same sample, target and size.
    /// </summary>
    private static Explanation Combine(string name, Explanation cam, Attribution pixels)
    {
        int plane = pixels.Width * pixels.Height;
        var product = new float[pixels.Values.Length];
        for (int i = 0; i < product.Length; i++) product[i] = pixels.Values[i] * cam.Heatmap.Values[i % plane];
        var attribution = new Attribution(pixels.Channels, pixels.Width, pixels.Height, product);
        return cam with { Method = name, Heatmap = attribution.Saliency(), Attribution = attribution };
    }
}
