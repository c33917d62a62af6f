using static TorchSharp.torch;

namespace GradCamSharp.Models;

/// <summary>
/// ReLU whose backward pass rectifies the gradient coming down and ignores the forward input: the backward ReLU of the
/// deconvnet (Zeiler and Fergus, ECCV 2014, sec. 2.1), as Springenberg et al. (2015, fig. 1) contrast it with
/// backpropagation and Guided Backpropagation.
/// </summary>
internal sealed class DeconvnetRelu : autograd.SingleTensorFunction<DeconvnetRelu>
{
    /// <inheritdoc />
    public override string Name => nameof(DeconvnetRelu);

    /// <summary>Applies ReLU to <paramref name="x"/>; values equal <c>relu(x)</c>, gradients follow the rule.</summary>
    public static Tensor Apply(Tensor x) => apply(x);

    /// <inheritdoc />
    public override Tensor forward(autograd.AutogradContext ctx, params object[] vars) => ((Tensor)vars[0]).relu();

    /// <inheritdoc />
    public override List<Tensor> backward(autograd.AutogradContext ctx, Tensor grad_output) =>
        [grad_output.clamp_min(0)];
}
