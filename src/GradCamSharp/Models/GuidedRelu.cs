using static TorchSharp.torch;

namespace GradCamSharp.Models;

/// <summary>
/// ReLU whose backward pass keeps only positive gradients at positive inputs: the modified ReLU of Guided
/// Backpropagation (Springenberg et al. 2015, eq. in fig. 1; used by Grad-CAM, sec. 3.1).
/// </summary>
internal sealed class GuidedRelu : autograd.SingleTensorFunction<GuidedRelu>
{
    /// <inheritdoc />
    public override string Name => nameof(GuidedRelu);

    /// <summary>Applies ReLU; values equal <c>relu(x)</c>, gradients follow the guided rule.</summary>
    public static Tensor Apply(Tensor x) => apply(x);

    /// <summary>
    /// Guides the output of a ReLU that has already run (a ReLU module, a residual block ending in relu_): that ReLU's
    /// own backward masks the gradient by its positive outputs, so only the clamp of negative gradients is added.
    /// </summary>
    public static Tensor ApplyAfterRelu(Tensor rectified) => PositiveGradient.apply(rectified);

    /// <summary>Identity forward (on non-negative values); backward keeps only positive gradients.</summary>
    private sealed class PositiveGradient : autograd.SingleTensorFunction<PositiveGradient>
    {
        public override string Name => nameof(PositiveGradient);

        public override Tensor forward(autograd.AutogradContext ctx, params object[] vars) => ((Tensor)vars[0]).relu();

        public override List<Tensor> backward(autograd.AutogradContext ctx, Tensor grad_output) =>
            [grad_output.clamp_min(0)];
    }

    /// <inheritdoc />
    public override Tensor forward(autograd.AutogradContext ctx, params object[] vars)
    {
        Tensor output = ((Tensor)vars[0]).relu();
        ctx.save_for_backward([output]);
        return output;
    }

    /// <inheritdoc />
    public override List<Tensor> backward(autograd.AutogradContext ctx, Tensor grad_output)
    {
        Tensor output = ctx.get_saved_variables()[0];
        return [grad_output.clamp_min(0).mul_(output.gt(0))];
    }
}
