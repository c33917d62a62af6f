using GradCamSharp.Models;
using static TorchSharp.torch;

namespace GradCamSharp.Methods;

/// <summary>
/// Attention rollout (Abnar and Zuidema, ACL 2020; <see cref="AttentionFlow.Rollout"/>): how much each patch flowed
/// into the class token through every block's head-averaged attention. Class-agnostic: every class gets the same map.
/// </summary>
/// <param name="model">A transformer with <see cref="IExplainableModel.AttentionLayers"/>.</param>
/// <param name="options">Only <see cref="CamOptions.Tokens"/> applies, for token layouts that cannot be inferred.
/// </param>
public sealed class AttentionRollout(IExplainableModel model, CamOptions? options = null)
    : AttentionMethod(model, options)
{
    /// <inheritdoc />
    public override string Name => "attention-rollout";

    /// <summary>The attention of every block, read by the explanation's own forward pass (by ONNX Runtime, where the
    /// model runs in it).</summary>
    internal override IReadOnlyList<string> ObservedLayers => Model.AttentionLayers;

    private protected override Tensor Flow(PassResult pass, ScoreEntry entry) =>
        AttentionFlow.RolloutOf([.. AttentionFlow.Blocks(Model, pass.Observed, pass.Input.shape[0])
            .Select(block => block.narrow(0, entry.Sample, 1))]);
}
