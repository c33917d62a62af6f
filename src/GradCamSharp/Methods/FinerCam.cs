using GradCamSharp.Models;
using static TorchSharp.torch;

namespace GradCamSharp.Methods;

/// <summary>
/// Finer-CAM (Zhang et al., CVPR 2025): Grad-CAM of the target class's score against its most similar classes,
/// y_c - alpha sum_j w_j y_j, where j runs over the <see cref="Comparisons"/> classes whose logits lie nearest to y_c
/// and w_j are their softmax probabilities, scaled to sum to one. Subtracting what the look-alike classes also score
/// removes the evidence they share and leaves the details that tell the target apart. The weights w_j are held
/// constant (pytorch-grad-cam differentiates through them as well); with alpha = 0 the map is Grad-CAM's.
/// </summary>
/// <param name="model">The model.</param>
/// <param name="options">The target layer and map options.</param>
/// <param name="alpha">The comparison's strength: 0 gives Grad-CAM, 1 (the paper's default) the full difference.
/// </param>
/// <param name="comparisons">How many of the nearest classes the target is compared with.</param>
public sealed class FinerCam(IExplainableModel model, CamOptions? options = null, double alpha = 1,
    int comparisons = FinerCam.DefaultComparisons) : CamMethod(model, options)
{
    /// <summary>pytorch-grad-cam's default: the three nearest classes.</summary>
    public const int DefaultComparisons = 3;

    /// <summary>The comparison's strength.</summary>
    public double Alpha { get; } = alpha;

    /// <summary>How many of the nearest classes the target is compared with.</summary>
    public int Comparisons { get; } = comparisons >= 0 ? comparisons
        : throw new ArgumentOutOfRangeException(nameof(comparisons), comparisons, "must be 0 or more");

    /// <inheritdoc />
    protected override string MethodName => "finercam";

    /// <inheritdoc />
    /// <remarks>Not for volumes: it runs the model again from the layer, which is written for images.</remarks>
    internal override bool ExplainsVolumes => false;

    /// <inheritdoc />
    protected override Tensor Weights(CamContext context) => TailGradients.ChannelWeights(this, context,
        (classIndex, output) => Contrast(output.reshape(-1), classIndex), hessian: false, (gradient, _) => gradient);

    /// <summary>y_c - alpha sum_j w_j y_j over the nearest classes j of one sample's [classes] scores.</summary>
    internal Tensor Contrast(Tensor scores, int classIndex)
    {
        Tensor target = scores[classIndex];
        long others = Math.Min(Comparisons, scores.shape[0] - 1);
        if (others == 0 || Alpha == 0) return target;
        Tensor distance = (scores.detach() - target.detach()).abs();
        distance[classIndex] = double.PositiveInfinity;
        Tensor nearest = distance.argsort().narrow(0, 0, others);
        Tensor probabilities = scores.detach().softmax(0).index_select(0, nearest);
        Tensor weights = probabilities / probabilities.sum().clamp_min(1e-30);
        return target - Alpha * (weights * scores.index_select(0, nearest)).sum();
    }
}
