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
