using GradCamSharp.Maps;
using GradCamSharp.Models;
using static TorchSharp.torch;

namespace GradCamSharp.Methods;

/// <summary>
/// Guided Backpropagation (Springenberg et al., ICLR 2015 workshop): the gradient of the score with respect to the
/// input pixels, with every ReLU passing back only positive gradients at positive inputs. Grad-CAM, sec. 3.1, uses it
/// for the pixel-level half of Guided Grad-CAM.
/// </summary>
public sealed class GuidedBackprop(IExplainableModel model) : Explainer(model)
{
    /// <summary>The <see cref="Explanation.Layer"/> of input attributions.</summary>
    public const string InputLayer = "input";

    /// <inheritdoc />
    public override string Name => KnownMethods.GuidedBackprop;

    internal override string? RequestedLayer => null;

    internal override bool NeedsLayerGradient => false;

    internal override bool NeedsPixelGradient => true;

    internal override IReadOnlyList<Explanation> Interpret(PassResult pass, ScoreColumn column,
        ColumnGradients gradients) =>
        column.Entries.Select(entry =>
        {
            Attribution attribution = ToAttribution(gradients.Pixels![entry.Sample]);
            return entry.Explained(Name, InputLayer, attribution.Saliency()) with { Attribution = attribution };
        }).ToList();

    /// <summary>[C, H, W] pixel gradients as an attribution.</summary>
    internal static Attribution ToAttribution(Tensor chw) =>
        new((int)chw.shape[0], (int)chw.shape[2], (int)chw.shape[1],
            chw.contiguous().to(ScalarType.Float32).cpu().data<float>().ToArray());
}
