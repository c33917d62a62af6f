using GradCamSharp.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace GradCamSharp.Methods;

/// <summary>
/// A method that explains a transformer by how its tokens draw on each other through attention (see
/// <see cref="AttentionFlow"/>): the patch tokens' row of a token-to-token matrix, folded into the grid, upsampled
/// bilinearly to the input and scaled to [0, 1]. It reads every block's attention rather than one target layer.
/// </summary>
public abstract class AttentionMethod : Explainer
{
    private readonly TokenGrid? _tokens;

    private protected AttentionMethod(IExplainableModel model, CamOptions? options) : base(model) =>
        _tokens = options?.Tokens;

    internal override string? RequestedLayer => null;

    internal override TokenGrid? RequestedTokens => _tokens;

    internal override bool NeedsLayerGradient => false;

    internal override bool NeedsPixelGradient => false;

    /// <summary>The [1, T, T] token-to-token matrix of <paramref name="entry"/>'s sample, for its score.</summary>
    private protected abstract Tensor Flow(PassResult pass, ScoreEntry entry);

    internal override IReadOnlyList<Explanation> Interpret(PassResult pass, ScoreColumn column,
        ColumnGradients gradients) =>
        column.Entries.Select(entry =>
        {
            using DisposeScope scope = NewDisposeScope();
            Tensor input = pass.Input.narrow(0, entry.Sample, 1);
            Tensor flow = Flow(pass, entry);
            string layer = Model.AttentionLayers[^1];
            TokenGrid grid = TokenGrid.Of(flow, input, layer, _tokens);
            Tensor raw = AttentionFlow.PatchMap(flow, grid);
            Tensor heat = CamMethod.UpsampleAndNormalise(raw, pass.Height, pass.Width);
            return entry.Explained(Name, layer, CamMethod.ToHeatmap(heat[0])) with
            {
                RawMap = CamMethod.ToHeatmap(raw[0]),
                Tokens = grid,
            };
        }).ToList();
}
