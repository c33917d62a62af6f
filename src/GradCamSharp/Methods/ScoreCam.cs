using GradCamSharp.Models;
using static TorchSharp.torch;

namespace GradCamSharp.Methods;

/// <summary>
/// Score-CAM (Wang et al., CVPR Workshops 2020, eq. 5-6): each feature map, upsampled and scaled to [0, 1], masks the
/// input; the class score of each masked input, softmax-normalised over the maps, weights the map. Gradient-free, at
/// the price of one forward pass per channel (batched, without autograd).
/// </summary>
public sealed class ScoreCam(IExplainableModel model, CamOptions? options = null) : CamMethod(model, options)
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
        int batchSize = PerturbationBatches.SizeFor(Options, input);
        var weights = new List<Tensor>();
        for (long n = 0; n < samples; n++)
        {
            // One sample's masks at a time: [K, 1, H, W] at input resolution is the largest tensor Score-CAM holds.
            Tensor masks = nn.functional.interpolate(context.Activations[n].unsqueeze(1),
                size: [input.shape[2], input.shape[3]], mode: InterpolationMode.Bilinear, align_corners: false);
            Tensor low = masks.amin([1, 2, 3], keepdim: true), high = masks.amax([1, 2, 3], keepdim: true);
            masks = (masks - low) / (high - low).clamp_min(1e-30);
            Tensor image = input[n].unsqueeze(0);
            Tensor scores = PerturbationBatches.Scores(channels, batchSize, Name, Options,
                (start, count) =>
                    image * masks.narrow(0, start, count), batch => Model.Forward(batch, ForwardTaps.None),
                context.ClassIndices[(int)n]!.Value);
            weights.Add(scores.softmax(0));
        }
        return stack(weights).reshape(samples, channels, 1, 1);
    }
}
