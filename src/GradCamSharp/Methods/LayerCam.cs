using GradCamSharp.Models;
using static TorchSharp.torch;

namespace GradCamSharp.Methods;

/// <summary>LayerCAM (Jiang et al., IEEE TIP 2021, eq. 5): element-wise weights relu(dy/dA^k_ij).</summary>
public sealed class LayerCam(IExplainableModel model, CamOptions? options = null) : CamMethod(model, options)
{
    /// <inheritdoc />
    protected override string MethodName => "layercam";

    /// <inheritdoc />
    protected override Tensor Weights(CamContext context) => context.Gradients.relu();
}
