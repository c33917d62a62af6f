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
    /// <remarks>Not for volumes: it masks the input with each upsampled map, which is written for images.</remarks>
    internal override bool ExplainsVolumes => false;

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
        int batchSize = PerturbationBatches.SizeFor(context.Run, input, Model);
        var weights = new List<Tensor>();
        for (long n = 0; n < samples; n++)
        {
            Tensor maps = context.Activations[n], image = input[n].unsqueeze(0);
            Tensor scores = context.PerturbedScores((int)n, Name, classes => PerturbationBatches.Scores(channels,
                batchSize, Name, context.Run,
                (start, count) => image * Masks(maps.narrow(0, start, count), input.shape[2], input.shape[3]),
                batch => Model.Forward(batch, ForwardTaps.None), classes));
            weights.Add(scores.softmax(0));
        }
        return stack(weights).reshape(samples, channels, 1, 1);
    }

    /// <summary>
    /// [K, 1, H, W]: <paramref name="maps"/> [K, h, w] upsampled to the input and each scaled to [0, 1]. Made one batch
    /// at a time, so that memory stays bounded by the batch rather than growing with the channels (2,048 masks of
    /// 224 x 224 would hold 400 MB, and each step of the scaling as much again).
    /// </summary>
    private static Tensor Masks(Tensor maps, long height, long width)
    {
        Tensor masks = nn.functional.interpolate(maps.unsqueeze(1), size: [height, width],
            mode: InterpolationMode.Bilinear, align_corners: false);
        Tensor low = masks.amin([1, 2, 3], keepdim: true), high = masks.amax([1, 2, 3], keepdim: true);
        return masks.sub_(low).div_((high - low).clamp_min(1e-30));
    }
}
