using GradCamSharp.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace GradCamSharp.Methods;

/// <summary>
/// How a transformer's tokens draw on each other through its attention, block after block: the token-to-token matrices
/// of attention rollout and attention relevance, <c>[N, T, T]</c>, read from each block's attention probabilities
/// (<see cref="IExplainableModel.AttentionLayers"/>), and the patch map of one of them.
/// </summary>
public static class AttentionFlow
{
    /// <summary>What <see cref="MethodDescriptor.Obstacle"/> says of a model without attention.</summary>
    public const string NoAttentionObstacle = "attention rollout and relevance read each block's attention " +
        "probabilities (a Softmax over keys that weights the values), and this model shows none (an ONNX ViT or DeiT " +
        "has one per block); use gradcam";

    /// <summary>
    /// Attention rollout (Abnar and Zuidema, Quantifying Attention Flow in Transformers, ACL 2020): the product over
    /// blocks, the last on the left, of each block's head-averaged attention plus the identity (the residual), each
    /// row scaled to sum to 1. Entry [n, i, j] says how much token j flowed into token i. Class-agnostic.
    /// </summary>
    /// <param name="model">A model with <see cref="IExplainableModel.AttentionLayers"/>.</param>
    /// <param name="input">[N, C, H, W] model input.</param>
    /// <returns>[N, T, T], in the caller's dispose scope.</returns>
    /// <exception cref="UsageException">No attention, or attention in windows or of different sizes per block.
    /// </exception>
    public static Tensor Rollout(IExplainableModel model, Tensor input)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(input);
        using DisposeScope scope = NewDisposeScope();
        using IDisposable noGradients = no_grad();
        return RolloutOf(Capture(model, input, probes: null, scope).Attention).MoveToOuterDisposeScope();
    }

    /// <summary>Attention rollout of attention already read: [N, heads, T, T] per block, in order.</summary>
    internal static Tensor RolloutOf(IReadOnlyList<Tensor> blocks)
    {
        using DisposeScope scope = NewDisposeScope();
        Tensor identity = eye(blocks[0].shape[^1], dtype: blocks[0].dtype);
        Tensor flow = identity.expand(blocks[0].shape[0], -1, -1);
        foreach (Tensor attention in blocks)
        {
            Tensor mixed = attention.mean([1]) + identity;
            flow = (mixed / mixed.sum(-1, keepdim: true)).bmm(flow);
        }
        return flow.contiguous().MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Attention relevance (Chefer, Gur and Wolf, Generic Attention-model Explainability, ICCV 2021, for
    /// self-attention): R = I, then block by block R = R + mean over heads of (dy/dA * A)+ times R, where A is the
    /// block's attention and y the class's score. Class-specific: the gradient says which attention raised the score.
    /// </summary>
    /// <param name="model">A model with <see cref="IExplainableModel.AttentionLayers"/>.</param>
    /// <param name="input">[N, C, H, W] model input.</param>
    /// <param name="classIndex">The class whose score is explained.</param>
    /// <returns>[N, T, T], in the caller's dispose scope.</returns>
    /// <exception cref="UsageException">No attention, or attention in windows or of different sizes per block.
    /// </exception>
    public static Tensor Relevance(IExplainableModel model, Tensor input, int classIndex)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(input);
        using DisposeScope scope = NewDisposeScope();
        using IDisposable gradientMode = enable_grad();
        var probes = new List<Tensor>();
        (List<Tensor> blocks, Tensor output) = Capture(model, input, probes, scope);
        Tensor score = output.reshape(input.shape[0], -1)[.., classIndex].sum();
        IList<Tensor> gradients = autograd.grad([score], probes, allow_unused: true);
        Tensor flow = eye(blocks[0].shape[^1], dtype: blocks[0].dtype).expand(blocks[0].shape[0], -1, -1);
        for (int k = 0; k < blocks.Count; k++)
        {
            Tensor attention = blocks[k];
            Tensor gradient = gradients[k] is Tensor g && !g.IsInvalid ? g.reshape(attention.shape).detach()
                : zeros_like(attention);
            flow = flow + (gradient * attention).clamp_min(0).mean([1]).bmm(flow);
        }
        return flow.contiguous().MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The patch tokens' share in a flow matrix, folded into the grid: the class token's row (with no leading token,
    /// the mean of every row, what a head that pools the tokens reads), the patch tokens' columns.
    /// </summary>
    /// <param name="flow">[N, T, T] from <see cref="Rollout"/> or <see cref="Relevance"/>.</param>
    /// <param name="grid">How the T tokens are a grid behind their leading tokens.</param>
    /// <returns>[N, grid height, grid width].</returns>
    public static Tensor PatchMap(Tensor flow, TokenGrid grid)
    {
        ArgumentNullException.ThrowIfNull(flow);
        ArgumentNullException.ThrowIfNull(grid);
        Tensor rows = grid.Skipped > 0 ? flow[.., 0, ..] : flow.mean([1]);
        return rows[.., grid.Skipped..].reshape(flow.shape[0], grid.Height, grid.Width);
    }

    /// <summary>
    /// One forward pass that keeps each block's attention, [N, heads, T, T], and with <paramref name="probes"/> adds a
    /// zero to each, whose gradient is the score's gradient at the attention.
    /// </summary>
    private static (List<Tensor> Attention, Tensor Output) Capture(IExplainableModel model, Tensor input,
        List<Tensor>? probes, DisposeScope scope)
    {
        IReadOnlyList<string> layers = model.AttentionLayers;
        if (layers.Count == 0) throw new UsageException(NoAttentionObstacle);
        var wanted = new HashSet<string>(layers, StringComparer.Ordinal);
        long samples = input.shape[0];
        var attention = new List<Tensor>();
        // Ours to keep: the model's own dispose scopes end with the forward pass.
        void Keep(string name, Tensor value) =>
            attention.Add(PerHead(name, value, samples).detach().clone().OwnedBy(scope));
        // Rollout only reads the attention (so ONNX Runtime may compute it); relevance adds a zero probe to each, whose
        // gradient is the score's gradient at the attention.
        ForwardTaps taps = probes is null
            ? new ForwardTaps
            {
                ObservedLayers = layers,
                ObserveEveryLayer = (name, value) =>
                {
                    if (wanted.Contains(name)) Keep(name, value);
                },
            }
            : new ForwardTaps
            {
                ReplaceEveryLayerOutput = (name, value) =>
                {
                    if (!wanted.Contains(name)) return value;
                    Keep(name, value);
                    Tensor probe = zeros_like(value).requires_grad_(true).OwnedBy(scope);
                    probes.Add(probe);
                    return value + probe;
                },
            };
        Tensor output = model.Forward(input, taps);
        return (Checked(attention), output);
    }

    /// <summary>
    /// The attention of every block, [N, heads, T, T], read from <paramref name="observed"/> (values by name) for a
    /// batch of <paramref name="samples"/>.
    /// </summary>
    internal static List<Tensor> Blocks(IExplainableModel model, IReadOnlyDictionary<string, Tensor> observed,
        long samples) => Checked([.. model.AttentionLayers.Where(observed.ContainsKey)
            .Select(name => PerHead(name, observed[name], samples))]);

    private static List<Tensor> Checked(List<Tensor> attention)
    {
        if (attention.Count == 0) throw new UsageException(NoAttentionObstacle);
        if (attention.Select(a => a.shape[^1]).Distinct().Count() > 1)
        {
            throw new UsageException("the attention of this model's blocks spans different numbers of tokens (" +
                string.Join(", ", attention.Select(a => a.shape[^1]).Distinct()) + "), as a hierarchical " +
                "transformer's stages do: rollout and relevance need every block to attend over the same tokens; use " +
                "gradcam at a token layer");
        }
        return attention;
    }

    /// <summary>
    /// [N, heads, T, T] of an attention value laid out as that or as [N * heads, T, T] (PyTorch's
    /// MultiheadAttention, batch-major).
    /// </summary>
    private static Tensor PerHead(string layer, Tensor value, long samples)
    {
        bool square = value.dim() is 3 or 4 && value.shape[^1] == value.shape[^2];
        if (square && value.dim() == 4 && value.shape[0] == samples) return value;
        if (square && value.dim() == 3 && value.shape[0] % samples == 0)
            return value.reshape(samples, -1, value.shape[^1], value.shape[^1]);
        throw new UsageException($"attention '{layer}' has shape [{string.Join(", ", value.shape)}] for {samples} " +
            "input(s), not one [heads, T, T] attention of every token to every token per input: attention within " +
            "windows (a Swin) is not global, so rollout and relevance do not apply; use gradcam at a token layer");
    }
}
