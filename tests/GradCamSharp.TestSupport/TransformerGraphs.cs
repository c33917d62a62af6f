using static TorchSharp.torch;

namespace GradCamSharp.TestSupport;

/// <summary>Transformer-shaped ONNX graphs small enough to check by hand.</summary>
public static class TransformerGraphs
{
    /// <summary>The token width of <see cref="MiniVit"/>.</summary>
    public const int Channels = 8;

    /// <summary>The classes of <see cref="MiniVit"/>.</summary>
    public const int Classes = 3;

    private const int Patch = 8;

    /// <summary>
    /// A ViT in miniature: 8x8 patches embedded by a stride-8 convolution, folded into tokens behind a class token,
    /// a ReLU ("tokens", the explained layer), the mean over every token and a linear head. Any input size that the
    /// patches tile.
    /// </summary>
    /// <param name="head">The linear head's weights, [Classes, Channels].</param>
    /// <param name="patchWidth">The patches' width (their height is 8): other than 8, patches that are not square,
    /// whose grid cannot be inferred.</param>
    public static OnnxGraphBuilder MiniVit(float[] head, int patchWidth = Patch) => Embedded(head, patchWidth)
        .Node("ReduceMean", "pool", ["tokens"], ["pooled"], ("axes", new long[] { 1 }), ("keepdims", 0L))
        .Node("Gemm", "fc", ["pooled", "head"], ["logits"], ("transB", 1L));

    /// <summary>
    /// As a ViT ends: the tokens are mixed once (each plus the mean of all, "mixed"), go through a per-token ReLU
    /// ("late"), and only the class token reaches the head. The last layer whose patch tokens reach the score is
    /// "tokens", before the mixing, as a ViT's is its last block's first norm.
    /// </summary>
    public static OnnxGraphBuilder MiniVitWithClassTokenHead(float[] head) => Embedded(head)
        .Initializer("class_index", [], new long[] { 0 })
        .Node("ReduceMean", "attend", ["tokens"], ["context"], ("axes", new long[] { 1 }), ("keepdims", 1L))
        .Node("Add", "mix", ["tokens", "context"], ["mixed"])
        .Node("Relu", "mlp", ["mixed"], ["late"])
        .Node("Gather", "class_token_out", ["late", "class_index"], ["class_out"], ("axis", 1L))
        .Node("Gemm", "fc", ["class_out", "head"], ["logits"], ("transB", 1L));

    /// <summary>
    /// A ViT in miniature with real attention: the embedded tokens (a class token and the 8x8 patches of any input
    /// they tile) pass <paramref name="blocks"/> blocks, each attention0, attention1, ...: per head h the scores
    /// tokens Wq_h tokens^T, their Softmax over keys ([N, heads, T, T]), the attended tokens averaged over the heads,
    /// projected, through tanh and added to the tokens. Only the class token reaches the linear head.
    /// </summary>
    public static OnnxGraphBuilder MiniAttention(int blocks = 2, int heads = 2)
    {
        manual_seed(11);
        float[] head = (randn(Classes * Channels) * 0.5).data<float>().ToArray();
        OnnxGraphBuilder graph = Embedded(head)
            .Initializer("head_axis", [1], new long[] { 1 })
            .Initializer("class_index", [], new long[] { 0 });
        string tokens = "tokens";
        for (int b = 0; b < blocks; b++)
        {
            graph.Node("Transpose", $"keys{b}", [tokens], [$"keys{b}"], ("perm", new long[] { 0, 2, 1 }))
                .Node("Unsqueeze", $"values{b}", [tokens, "head_axis"], [$"values{b}"]);
            var scores = new List<string>();
            for (int h = 0; h < heads; h++)
            {
                float[] query = (randn(Channels * Channels) * 0.4).data<float>().ToArray();
                graph.Initializer($"wq{b}_{h}", [Channels, Channels], query)
                    .Node("MatMul", $"query{b}_{h}", [tokens, $"wq{b}_{h}"], [$"query{b}_{h}"])
                    .Node("MatMul", $"scores{b}_{h}", [$"query{b}_{h}", $"keys{b}"], [$"scores{b}_{h}"])
                    .Node("Unsqueeze", $"scores{b}_{h}_head", [$"scores{b}_{h}", "head_axis"],
                        [$"scores{b}_{h}_head"]);
                scores.Add($"scores{b}_{h}_head");
            }
            float[] projection = (randn(Channels * Channels) * 0.5).data<float>().ToArray();
            graph.Node("Concat", $"heads{b}", [.. scores], [$"scores{b}"], ("axis", 1L))
                .Node("Softmax", $"attention{b}", [$"scores{b}"], [$"attention{b}"], ("axis", -1L))
                .Node("MatMul", $"attend{b}", [$"attention{b}", $"values{b}"], [$"attended{b}"])
                .Node("ReduceMean", $"merge{b}", [$"attended{b}"], [$"merged{b}"], ("axes", new long[] { 1 }),
                    ("keepdims", 0L))
                .Initializer($"wo{b}", [Channels, Channels], projection)
                .Node("MatMul", $"project{b}", [$"merged{b}", $"wo{b}"], [$"projected{b}"])
                .Node("Tanh", $"squash{b}", [$"projected{b}"], [$"update{b}"])
                .Node("Add", $"residual{b}", [tokens, $"update{b}"], [$"block{b}"]);
            tokens = $"block{b}";
        }
        return graph.Node("Gather", "class_token_out", [tokens, "class_index"], ["class_out"], ("axis", 1L))
            .Node("Gemm", "fc", ["class_out", "head"], ["logits"], ("transB", 1L));
    }

    private static OnnxGraphBuilder Embedded(float[] head, int patchWidth = Patch)
    {
        manual_seed(4);
        float[] embedding = randn(Channels * 3 * Patch * patchWidth).data<float>().ToArray();
        float[] classToken = randn(Channels).data<float>().ToArray();
        return new OnnxGraphBuilder("mini-vit")
            .Input("x", 1, 3, -1, -1)
            .Output("logits", 1, Classes)
            .Initializer("embedding", [Channels, 3, Patch, patchWidth], embedding)
            .Initializer("class_token", [1, 1, Channels], classToken)
            .Initializer("fold", [3], new long[] { 0, Channels, -1 })
            .Initializer("head", [Classes, Channels], head)
            .Node("Conv", "patches", ["x", "embedding"], ["grid"], ("strides", new long[] { Patch, patchWidth }))
            .Node("Reshape", "flatten", ["grid", "fold"], ["rows"])
            .Node("Transpose", "to_tokens", ["rows"], ["patch_tokens"], ("perm", new long[] { 0, 2, 1 }))
            // The class token broadcast to the batch, as torchvision's ViT expands it: class_token + 0 * mean.
            .Initializer("zero", [1], [0f])
            .Node("ReduceMean", "any_token", ["patch_tokens"], ["mean_token"], ("axes", new long[] { 1 }),
                ("keepdims", 1L))
            .Node("Mul", "nothing", ["mean_token", "zero"], ["zeros"])
            .Node("Add", "expand", ["zeros", "class_token"], ["class_tokens"])
            .Node("Concat", "prepend", ["class_tokens", "patch_tokens"], ["all_tokens"], ("axis", 1L))
            .Node("Relu", "block", ["all_tokens"], ["tokens"]);
    }
}
