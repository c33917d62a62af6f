using GradCamSharp.Models;
using static TorchSharp.torch;

namespace GradCamSharp.Methods;

/// <summary>
/// Ablation-CAM (Desai and Ramaswamy, WACV 2020, eq. 3): the weight of channel k is the class score's relative drop
/// when that channel of the target layer is zeroed, (y - y_k) / |y|. The paper divides by y, which assumes a positive
/// score; dividing by its magnitude keeps the meaning for a logit below zero (a channel whose removal lowers the score
/// counts for the class) and is the paper's formula otherwise. Gradient-free. Only the part of the model after the
/// target layer runs for the ablated copies, channels in batches, where the model can run its tail alone
/// (<see cref="IExplainableModel.SplitAt"/>: imported ONNX graphs and heads on them); elsewhere the whole model runs.
/// </summary>
public sealed class AblationCam(IExplainableModel model, CamOptions? options = null) : CamMethod(model, options)
{
    /// <summary>The smallest |y| divided by, so that a score near zero gives large but finite weights.</summary>
    private const double SmallestScore = 1e-6;

    /// <inheritdoc />
    protected override string MethodName => "ablationcam";

    /// <inheritdoc />
    /// <remarks>Not for volumes: it runs the model again from the layer, which is written for images.</remarks>
    internal override bool ExplainsVolumes => false;

    /// <inheritdoc />
    protected override bool UsesGradients => false;

    /// <inheritdoc />
    protected override Tensor Weights(CamContext context)
    {
        if (context.ClassIndices.Any(c => c is null))
            throw new UsageException("Ablation-CAM scores ablated layers per class: use class or top-k targets");
        using var noGrad = no_grad();
        long samples = context.Activations.shape[0], channels = context.Activations.shape[1];
        int batchSize = PerturbationBatches.SizeFor(context.Run, context.Input, Model);
        var weights = new List<Tensor>();
        for (long n = 0; n < samples; n++)
        {
            int classIndex = context.ClassIndices[(int)n]!.Value;
            ModelTail tail = ModelTail.Split(Model, context.Input[n].unsqueeze(0), context.Layer);
            int skipped = tail.LayerOutput.dim() == 3
                ? TokenGrid.Of(tail.LayerOutput, context.Input, context.Layer, Options.Tokens).Skipped : 0;
            bool channelsLast = LayerInfo.IsChannelsLastMap(tail.LayerOutput.shape, context.Input[..1].shape);
            double score = tail.Run(tail.LayerOutput).reshape(-1)[classIndex].item<float>();
            Tensor ablated = context.PerturbedScores((int)n, Name, classes => PerturbationBatches.Scores(channels,
                batchSize, Name, context.Run,
                (start, count) => Ablate(tail.LayerOutput, start, count, skipped, channelsLast), tail.Run, classes));
            weights.Add((score - ablated.to(ScalarType.Float64)) / Math.Max(Math.Abs(score), SmallestScore));
        }
        return stack(weights).to(context.Activations.dtype).reshape(samples, channels, 1, 1);
    }

    /// <summary>
    /// [count, ...] copies of the [1, ...] layer output, copy i with channel start + i zeroed: of a [1, K, h, w] map,
    /// of a channels-last [1, h, w, K] one, or of the patch tokens (after the <paramref name="skippedTokens"/> leading
    /// ones) of [1, T, K] tokens.
    /// </summary>
    internal static Tensor Ablate(Tensor layerOutput, long start, int count, int skippedTokens = 0,
        bool channelsLast = false)
    {
        Tensor copies = layerOutput.expand([count, .. layerOutput.shape[1..]]).clone();
        bool tokens = layerOutput.dim() == 3;
        for (int i = 0; i < count; i++)
        {
            if (tokens) copies[i, skippedTokens.., start + i].zero_();
            else if (channelsLast) copies[i, .., .., start + i].zero_();
            else copies[i, start + i].zero_();
        }
        return copies;
    }
}
