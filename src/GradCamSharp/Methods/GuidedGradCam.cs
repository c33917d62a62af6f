using GradCamSharp.Maps;
using GradCamSharp.Models;
using GradCamSharp.Targets;
using TorchSharp;
using static TorchSharp.torch;

namespace GradCamSharp.Methods;

/// <summary>
/// Guided Grad-CAM (Grad-CAM, sec. 3.1): Guided Backpropagation multiplied point-wise by the Grad-CAM map upsampled
/// to the input, giving maps that are both high-resolution and class-discriminative.
/// </summary>
/// <remarks>
/// Both halves come from one forward pass: ReLUs are guided up to the target layer, whose output is split into the
/// graph that reaches the input and a fresh leaf for the layers after it. The gradient at the leaf gives Grad-CAM and,
/// pushed on through the guided layers below, Guided Backprop. That is exact when no ReLU follows the target layer
/// (the usual case: a classifier head of pooling and linear layers); when one does, Guided Backprop is recomputed in a
/// pass of its own so that those ReLUs are guided too.
/// </remarks>
public sealed class GuidedGradCam : GradientExplainer
{
    private readonly CamMethod _cam;
    private readonly GuidedBackprop _guided;
    private bool _reluAfterLayer;
    private Tensor? _layerInGraph;
    private Tensor? _pixels;

    /// <summary>Combines <see cref="GradCam"/> (or <paramref name="cam"/>) with <see cref="GuidedBackprop"/> on <paramref name="model"/>.</summary>
    public GuidedGradCam(IExplainableModel model, CamOptions? options = null, CamMethod? cam = null) : base(model)
    {
        _cam = cam ?? new GradCam(model, options);
        _guided = new GuidedBackprop(model);
    }

    /// <inheritdoc />
    public override string Name => "guided-gradcam";

    /// <inheritdoc />
    public override IReadOnlyList<Explanation> Explain(Tensor input, IReadOnlyList<IReadOnlyList<ITarget>> targetsPerSample)
    {
        try
        {
            IReadOnlyList<Explanation> explanations = base.Explain(input, targetsPerSample);
            if (!_reluAfterLayer) return explanations;
            return explanations.Zip(_guided.Explain(input, targetsPerSample), Combine).ToList();
        }
        finally
        {
            _layerInGraph = null;
            _pixels = null;
        }
    }

    /// <inheritdoc />
    protected override ForwardResult RunForward(Tensor input, DisposeScope scope)
    {
        string layer = _cam.ResolveLayer(input);
        Tensor pixels = input.requires_grad_(true);
        Tensor? leaf = null, inGraph = null;
        bool afterLayer = false, reluAfterLayer = false;
        var taps = new ForwardTaps
        {
            Layer = layer,
            GuidedRelu = true,
            GuidedReluWhen = () =>
            {
                reluAfterLayer |= afterLayer;
                return !afterLayer;
            },
            ReplaceLayerOutput = output =>
            {
                inGraph = output.OwnedBy(scope);
                leaf = output.detach().requires_grad_(true).OwnedBy(scope);
                afterLayer = true;
                return leaf.clone();
            },
        };
        Tensor result = Model.Forward(pixels, taps);
        if (leaf is null || inGraph is null)
            throw new InvalidOperationException($"layer '{layer}' did not run in the forward pass of {Model.Name}");
        _reluAfterLayer = reluAfterLayer;
        _layerInGraph = inGraph;
        _pixels = pixels;
        return new ForwardResult(result, leaf, layer, input.shape[2], input.shape[3]);
    }

    internal override IReadOnlyList<Explanation> Interpret(ForwardResult forward, Tensor gradient, ScoreColumn column)
    {
        IReadOnlyList<Explanation> cams = _cam.Interpret(forward, gradient, column);
        if (_reluAfterLayer) return cams;
        Tensor? pixelGradient = autograd.grad([_layerInGraph!], [_pixels!], [gradient], retain_graph: !column.IsLast, allow_unused: true)[0];
        if (pixelGradient is null || pixelGradient.IsInvalid) pixelGradient = zeros_like(_pixels!);
        var pixels = forward with { DifferentiateWith = _pixels!, Layer = GuidedBackprop.InputLayer };
        return cams.Zip(_guided.Interpret(pixels, pixelGradient, column), Combine).ToList();
    }

    /// <summary>Multiplies a guided-backprop attribution by a CAM heatmap of the same sample, target and size.</summary>
    public static Explanation Combine(Explanation cam, Explanation guided)
    {
        ArgumentNullException.ThrowIfNull(cam);
        ArgumentNullException.ThrowIfNull(guided);
        Attribution pixels = guided.Attribution
            ?? throw new ArgumentException($"'{guided.Method}' carries no pixel attribution", nameof(guided));
        if (cam.SampleIndex != guided.SampleIndex || cam.ClassIndex != guided.ClassIndex)
            throw new ArgumentException("the CAM and the guided attribution explain different samples or classes");
        if (cam.Heatmap.Width != pixels.Width || cam.Heatmap.Height != pixels.Height)
            throw new ArgumentException("the CAM heatmap and the guided attribution differ in size");

        int plane = pixels.Width * pixels.Height;
        var product = new float[pixels.Values.Length];
        for (int i = 0; i < product.Length; i++) product[i] = pixels.Values[i] * cam.Heatmap.Values[i % plane];
        var attribution = new Attribution(pixels.Channels, pixels.Width, pixels.Height, product);
        return new Explanation
        {
            Method = "guided-gradcam",
            Layer = cam.Layer,
            SampleIndex = cam.SampleIndex,
            TargetName = cam.TargetName,
            ClassIndex = cam.ClassIndex,
            Score = cam.Score,
            Heatmap = attribution.Saliency(),
            RawMap = cam.RawMap,
            Attribution = attribution,
        };
    }
}
