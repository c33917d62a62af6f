using GradCamSharp.Maps;
using GradCamSharp.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace GradCamSharp.Methods;

/// <summary>
/// Guided Backpropagation (Springenberg et al., ICLR 2015 workshop): the gradient of the score with respect to the
/// input pixels, with every ReLU passing back only positive gradients at positive inputs. Grad-CAM, sec. 3.1, uses it
/// for the pixel-level half of Guided Grad-CAM.
/// </summary>
public sealed class GuidedBackprop(IExplainableModel model) : GradientExplainer(model)
{
    /// <summary>The <see cref="Explanation.Layer"/> of input attributions.</summary>
    public const string InputLayer = "input";

    /// <inheritdoc />
    public override string Name => "guided-backprop";

    /// <inheritdoc />
    protected override ForwardResult RunForward(Tensor input, DisposeScope scope)
    {
        Tensor pixels = input.requires_grad_(true);
        Tensor output = Model.Forward(pixels, new ForwardTaps { GuidedRelu = true });
        return new ForwardResult(output, pixels, InputLayer, input.shape[2], input.shape[3]);
    }

    internal override IReadOnlyList<Explanation> Interpret(ForwardResult forward, Tensor gradient, ScoreColumn column) =>
        column.Entries.Select(entry =>
        {
            Attribution attribution = ToAttribution(gradient[entry.Sample]);
            return new Explanation
            {
                Method = Name,
                Layer = InputLayer,
                SampleIndex = entry.Sample,
                TargetName = entry.TargetName,
                ClassIndex = entry.ClassIndex,
                Score = entry.Score,
                Heatmap = attribution.Saliency(),
                Attribution = attribution,
            };
        }).ToList();

    private static Attribution ToAttribution(Tensor chw) =>
        new((int)chw.shape[0], (int)chw.shape[2], (int)chw.shape[1], chw.contiguous().to(ScalarType.Float32).cpu().data<float>().ToArray());
}
