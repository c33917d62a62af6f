using GradCamSharp.Models;
using static TorchSharp.torch;

namespace GradCamSharp.Methods;

/// <summary>
/// Gradient x Input (Shrikumar et al., Not Just a Black Box, 2016): the gradient multiplied element-wise by the input,
/// a first-order estimate of each pixel's contribution to the score.
/// </summary>
public sealed class GradientTimesInput(IExplainableModel model) : InputAttributionMethod(model)
{
    /// <inheritdoc />
    public override string Name => "gradient-x-input";

    /// <inheritdoc />
    protected override Tensor Attribute(Tensor input, int classIndex, RunOptions run) =>
        Gradients(input, classIndex, run)[0] * input[0];
}
