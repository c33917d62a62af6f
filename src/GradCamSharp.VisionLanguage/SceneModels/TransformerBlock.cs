using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace GradCamSharp.VisionLanguage.SceneModels;

/// <summary>
/// One pre-norm transformer block of <see cref="SceneTransformer"/>: x + attention(norm1(x)), then x + mlp(norm2(x)),
/// the attention written out (query-key products, scaled, Softmax over keys, times values) so that its ONNX form is
/// the pattern GradCamSharp finds attention by.
/// </summary>
internal sealed class TransformerBlock : Module<Tensor, Tensor>
{
    private readonly LayerNorm norm1 = LayerNorm(SceneTransformer.Width);
    private readonly Linear qkv = Linear(SceneTransformer.Width, 3 * SceneTransformer.Width);
    private readonly Linear proj = Linear(SceneTransformer.Width, SceneTransformer.Width);
    private readonly LayerNorm norm2 = LayerNorm(SceneTransformer.Width);
    private readonly Linear fc1 = Linear(SceneTransformer.Width, SceneTransformer.MlpWidth);
    private readonly Linear fc2 = Linear(SceneTransformer.MlpWidth, SceneTransformer.Width);

    /// <summary>A freshly initialised block.</summary>
    public TransformerBlock() : base(nameof(TransformerBlock)) => RegisterComponents();

    /// <summary>The scale of the query-key products: one over the square root of a head's width.</summary>
    public static float Scale => 1f / MathF.Sqrt(SceneTransformer.Width / (float)SceneTransformer.Heads);

    /// <inheritdoc />
    public override Tensor forward(Tensor tokens)
    {
        long n = tokens.shape[0], t = tokens.shape[1];
        const int heads = SceneTransformer.Heads, headWidth = SceneTransformer.Width / SceneTransformer.Heads;
        Tensor qkvs = qkv.call(norm1.call(tokens)).reshape(n, t, 3, heads, headWidth).permute(2, 0, 3, 1, 4);
        Tensor attention = (qkvs[0].matmul(qkvs[1].transpose(2, 3)) * Scale).softmax(-1);
        Tensor mixed = attention.matmul(qkvs[2]).transpose(1, 2).reshape(n, t, SceneTransformer.Width);
        tokens = tokens + proj.call(mixed);
        return tokens + fc2.call(functional.gelu(fc1.call(norm2.call(tokens))));
    }
}
