using GradCamSharp.Models;
using static TorchSharp.torch;

namespace GradCamSharp.Methods;

/// <summary>
/// Attention relevance (Chefer, Gur and Wolf, ICCV 2021; <see cref="AttentionFlow.Relevance"/>): each block's
/// attention weighted by the class score's gradient there, kept where positive, accumulated over the blocks.
/// Class-specific.
/// </summary>
/// <param name="model">A transformer with <see cref="IExplainableModel.AttentionLayers"/>.</param>
/// <param name="options">Only <see cref="CamOptions.Tokens"/> applies, for token layouts that cannot be inferred.
/// </param>
public sealed class AttentionRelevance(IExplainableModel model, CamOptions? options = null)
    : AttentionMethod(model, options)
{
    /// <inheritdoc />
    public override string Name => "attention-relevance";

    private protected override Tensor Flow(PassResult pass, ScoreEntry entry) => AttentionFlow.Relevance(Model,
        pass.Input.narrow(0, entry.Sample, 1),
        entry.ClassIndex ?? throw new UsageException($"{Name} explains a class score: use class or top-k targets"));
}
