using GradCamSharp.Models;
using static TorchSharp.torch;

namespace GradCamSharp.Methods;

/// <summary>
/// Grad-CAM (Selvaraju et al., ICCV 2017, eq. 1): alpha_k = (1/Z) sum_ij dy^c/dA^k_ij, the gradients' spatial mean.
/// </summary>
/// <example>
/// <code>
/// var gradCam = new GradCam(model, new CamOptions { Layer = "layer4" });   // or ModelLayers.Auto
/// Explanation dog = gradCam.Explain(input, new ClassTarget(207)).Single();
/// Heatmap onPhoto = prepared.ToOriginal(dog.Heatmap);                     // values in [0, 1]
/// </code>
/// </example>
public sealed class GradCam(IExplainableModel model, CamOptions? options = null) : CamMethod(model, options)
{
    /// <inheritdoc />
    protected override string MethodName => "gradcam";

    /// <inheritdoc />
    protected override Tensor Weights(CamContext context) => context.Gradients.mean([2, 3], keepdim: true);
}
