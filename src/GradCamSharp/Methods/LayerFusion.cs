namespace GradCamSharp.Methods;

/// <summary>How the maps of one method at several target layers become one map.</summary>
public enum LayerFusion
{
    /// <summary>
    /// The mean of the layers' maps (each in [0, 1]), scaled back to [0, 1]: pytorch-grad-cam's rule.
    /// </summary>
    Mean,

    /// <summary>
    /// LayerCAM's rule (Jiang et al., IEEE TIP 2021, eq. 6-7): each layer's map M (in [0, 1]) rescaled to
    /// tanh(2 M / max M), which lifts the weak but precise maps of shallow layers, then summed and scaled to [0, 1].
    /// </summary>
    ScaledSum,
}
