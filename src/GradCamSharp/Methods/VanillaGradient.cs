using GradCamSharp.Models;
using static TorchSharp.torch;

namespace GradCamSharp.Methods;

/// <summary>
/// The vanilla gradient (Simonyan et al., Deep Inside Convolutional Networks, ICLR 2014 workshop, eq. 3): the
/// derivative of the class score with respect to each input pixel.
/// </summary>
public sealed class VanillaGradient(IExplainableModel model) : InputAttributionMethod(model)
{
    /// <inheritdoc />
    public override string Name => "gradient";

    /// <inheritdoc />
    protected override Tensor Attribute(Tensor input, int classIndex, RunOptions run) =>
        Gradients(input, classIndex, run)[0];
}
