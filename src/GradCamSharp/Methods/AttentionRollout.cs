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

    private protected override Tensor Flow(Tensor input, ScoreEntry entry) => AttentionFlow.Rollout(Model, input);
}
