using TorchSharp;

namespace GradCamSharp.Models;

/// <summary>What a model should do to its intermediate values during one forward pass.</summary>
public sealed record ForwardTaps
{
    /// <summary>No taps: a plain forward pass.</summary>
    public static ForwardTaps None { get; } = new();

    /// <summary>The layer whose output <see cref="ReplaceLayerOutput"/> receives.</summary>
    public string? Layer { get; init; }

    /// <summary>
    /// Receives the output of <see cref="Layer"/> and returns the tensor the rest of the model uses instead.
    /// </summary>
    public Func<torch.Tensor, torch.Tensor>? ReplaceLayerOutput { get; init; }

    /// <summary>
    /// Receives every named layer output, in execution order (for shape listings and automatic layer choice).
    /// </summary>
    public Action<string, torch.Tensor>? ObserveEveryLayer { get; init; }

    /// <summary>
    /// With <see cref="ObserveEveryLayer"/>: the only layers the observer needs, or null for every layer. A model that
    /// runs part of its graph without autograd elsewhere (ONNX Runtime) then returns just these as extra outputs of
    /// one gradient-free pass (attention rollout's attention); others still show every layer.
    /// </summary>
    public IReadOnlyList<string>? ObservedLayers { get; init; }

    /// <summary>
    /// Receives every named layer output with its name, in execution order, and returns the tensor the rest of the
    /// model uses instead (FullGrad adds a zero probe to each layer with a bias, to read the gradient there). Applied
    /// after <see cref="ReplaceLayerOutput"/>; models that cannot intercept every layer ignore it and list no
    /// <see cref="IExplainableModel.LayerBiases()"/>.
    /// </summary>
    public Func<string, torch.Tensor, torch.Tensor>? ReplaceEveryLayerOutput { get; init; }

    /// <summary>
    /// Makes every ReLU back-propagate only positive gradients at positive inputs (Springenberg et al., the rule of
    /// Guided Backpropagation). The forward values are unchanged.
    /// </summary>
    public bool GuidedRelu { get; init; }

    /// <summary>
    /// With <see cref="GuidedRelu"/>: asked at each ReLU whether to guide it (null: always). Guided Grad-CAM uses it to
    /// guide only the ReLUs before the target layer, and to learn whether any ReLU follows it.
    /// </summary>
    public Func<bool>? GuidedReluWhen { get; init; }

    /// <summary>
    /// Makes every ReLU pass back the rectified gradient whatever its input was (Zeiler and Fergus 2014, the rule of
    /// the deconvnet: the backward ReLU is applied to the signal coming down, not masked by the forward pass). The
    /// forward values are unchanged.
    /// </summary>
    public bool DeconvnetRelu { get; init; }

    /// <summary>
    /// These taps without the layer tap and the observer: what a model's preprocessing or a wrapped part that does not
    /// hold the tapped layer runs with (the ReLU rules still apply there).
    /// </summary>
    public ForwardTaps WithoutLayerTaps() => this with { Layer = null, ReplaceLayerOutput = null,
        ObserveEveryLayer = null, ObservedLayers = null, ReplaceEveryLayerOutput = null };

    /// <summary>
    /// Called at every ReLU a ReLU rule (<see cref="GuidedRelu"/>, <see cref="DeconvnetRelu"/>) meets, whether or not
    /// it applies the rule there: how a method learns that a model has no ReLU to apply it to (a transformer's GELUs,
    /// an EfficientNet's SiLUs), where its map would be the plain gradient under another name.
    /// </summary>
    public Action? ReluMet { get; init; }

    /// <summary>Whether the ReLU being run now should follow the guided rule.</summary>
    public bool GuideThisRelu()
    {
        if (!GuidedRelu) return false;
        ReluMet?.Invoke();
        return GuidedReluWhen?.Invoke() ?? true;
    }

    /// <summary>Whether the ReLU being run now should follow the deconvnet's rule.</summary>
    public bool DeconvnetThisRelu()
    {
        if (DeconvnetRelu) ReluMet?.Invoke();
        return DeconvnetRelu;
    }

    /// <summary>What <see cref="IExplainableModel.ReluObstacle"/> says of a model without ReLUs.</summary>
    public const string NoReluObstacle = "the model has no ReLU for the rule to act on (its activations are GELU, " +
        "SiLU or others): the map would be the plain gradient, which --method gradient gives";

    /// <summary>
    /// The error of a method whose ReLU rule met no ReLU: what it would return is the plain gradient, which the
    /// <c>gradient</c> method gives under its own name.
    /// </summary>
    public static UsageException NoRelu(string method) => new($"{method} changes how gradients pass ReLUs, and this " +
        "model has none (its activations are GELU, SiLU or others): its map would be the plain gradient under " +
        $"another name; use --method gradient for that map, or gradcam, smoothgrad or integrated-gradients");
}
