using GradCamSharp.Models;
using static TorchSharp.torch;

namespace GradCamSharp.Methods;

/// <summary>
/// The deconvnet (Zeiler and Fergus, Visualizing and Understanding Convolutional Networks, ECCV 2014, sec. 2.1): the
/// class score's signal projected back to the pixels with every ReLU rectifying the signal coming down instead of
/// masking it by its forward input (Springenberg et al. 2015, fig. 1, compare the three rules). Less class-specific
/// than backpropagation, which is the point of showing it beside Guided Backprop.
/// </summary>
public sealed class Deconvnet(IExplainableModel model) : InputAttributionMethod(model)
{
    private static readonly ForwardTaps DeconvnetTaps = new() { DeconvnetRelu = true };

    /// <inheritdoc />
    public override string Name => "deconvnet";

    /// <inheritdoc />
    protected override ForwardTaps GradientTaps => DeconvnetTaps;

    /// <inheritdoc />
    protected override Tensor Attribute(Tensor input, int classIndex, RunOptions run) =>
        Gradients(input, classIndex, run)[0];
}
