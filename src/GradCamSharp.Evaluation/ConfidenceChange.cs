using GradCamSharp.Maps;
using GradCamSharp.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace GradCamSharp.Evaluation;

/// <summary>
/// Average Drop and Increase in Confidence (Chattopadhyay et al., Grad-CAM++, 2018, sec. 5.1): the class probability
/// (softmax) of the image against that of the image multiplied point-wise by the map (scaled to [0, 1] by its
/// maximum). Multiplying a normalised input moves the unexplained pixels towards 0, the mean colour.
/// </summary>
public static class ConfidenceChange
{
    /// <summary>The class probability of the image and of the image seen through the map.</summary>
    /// <param name="model">A classifier.</param>
    /// <param name="input">[1, C, H, W] one image.</param>
    /// <param name="classIndex">The class.</param>
    /// <param name="saliency">An [H, W] map at the input's resolution.</param>
    public static (double Original, double Explained) Probabilities(IExplainableModel model, Tensor input,
        int classIndex, Heatmap saliency)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(saliency);
        using DisposeScope scope = NewDisposeScope();
        using IDisposable state = model.BeginExplanation();
        using var noGrad = no_grad();
        float max = saliency.Max;
        float[] scaled = saliency.Values.Select(v => max > 0 ? Math.Max(0, v) / max : 0).ToArray();
        Tensor mask = tensor(scaled).reshape(1, 1, saliency.Height, saliency.Width).to(input.dtype);
        Tensor batch = cat([input, input * mask], 0);
        float[] probabilities = model.Forward(batch, ForwardTaps.None).softmax(1)[.., classIndex]
            .to(ScalarType.Float32).data<float>().ToArray();
        return (probabilities[0], probabilities[1]);
    }

    /// <summary>
    /// The percentage drop of one image, max(0, Y - O) / Y (Average Drop is its mean over images, lower is better).
    /// </summary>
    public static double Drop(double original, double explained) =>
        original > 0 ? Math.Max(0, original - explained) / original : 0;
}
