using GradCamSharp.Models;
using static TorchSharp.torch;

namespace GradCamSharp.Methods;

/// <summary>
/// Score-CAM (Wang et al., CVPR Workshops 2020, eq. 5-6): each feature map, upsampled and scaled to [0, 1], masks the
/// input; the class score of each masked input, softmax-normalised over the maps, weights the map. Gradient-free, at
/// the price of one forward pass per channel (batched).
/// </summary>
public sealed class ScoreCam(IExplainableModel model, CamOptions? options = null,
    int batchSize = 32) : CamMethod(model, options)
{
    /// <inheritdoc />
    protected override string MethodName => "scorecam";

    /// <inheritdoc />
    protected override bool UsesGradients => false;

    /// <inheritdoc />
    protected override Tensor Weights(CamContext context)
    {
        Tensor input = context.Input;
        if (context.ClassIndices.Any(c => c is null))
            throw new UsageException("Score-CAM scores masked inputs per class: use class or top-k targets");
        using var noGrad = no_grad();
        long samples = context.Activations.shape[0], channels = context.Activations.shape[1];
        Tensor masks = nn.functional.interpolate(context.Activations, size: [input.shape[2], input.shape[3]],
            mode: InterpolationMode.Bilinear, align_corners: false);
        Tensor low = masks.amin([2, 3], keepdim: true), high = masks.amax([2, 3], keepdim: true);
        masks = (masks - low) / (high - low).clamp_min(1e-30);
        var weights = new List<Tensor>();
        for (long n = 0; n < samples; n++)
        {
            int classIndex = context.ClassIndices[(int)n]!.Value;
            var scores = new List<Tensor>();
            for (long start = 0; start < channels; start += batchSize)
            {
                long count = Math.Min(batchSize, channels - start);
                Tensor masked = input[n].unsqueeze(0) * masks[n].narrow(0, start, count).unsqueeze(1);
                Tensor output = Model.Forward(masked, ForwardTaps.None);
                scores.Add(output.reshape(count, -1)[.., classIndex]);
            }
            weights.Add(cat(scores, 0).softmax(0));
        }
        return stack(weights).reshape(samples, channels, 1, 1);
    }
}
