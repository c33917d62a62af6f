using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace GradCamSharp.VisionLanguage.SceneModels;

/// <summary>
/// A small vision transformer for the shape world's 128x128 scenes: a convolutional stem (three 3x3 stride-2
/// convolutions with BatchNorm and ReLU, then a 1x1 projection: a 16x16 grid of 8-pixel patches; Xiao et al., "Early
/// convolutions help transformers see better", 2021: a plain 8x8 patch embedding learns this world far more slowly),
/// a class token and learnt positions, <see cref="Depth"/> pre-norm blocks of multi-head self-attention and a GELU
/// MLP, a final LayerNorm and a linear head on the class token, as torchvision's ViT.
/// </summary>
internal sealed class SceneTransformer : Module<Tensor, Tensor>
{
    /// <summary>The token width.</summary>
    public const int Width = 64;

    /// <summary>The attention heads per block.</summary>
    public const int Heads = 4;

    /// <summary>The blocks.</summary>
    public const int Depth = 4;

    /// <summary>The MLP's hidden width.</summary>
    public const int MlpWidth = 128;

    /// <summary>The patch grid's side for a 128x128 scene.</summary>
    public const int Grid = 16;

    /// <summary>The channels of the stem's three convolutions.</summary>
    public static readonly int[] StemChannels = [32, 64, Width];

    private readonly Sequential stem;
    private readonly Conv2d projection;
    private readonly Parameter classToken;
    private readonly Parameter positions;
    private readonly ModuleList<TransformerBlock> blocks;
    private readonly LayerNorm norm;
    private readonly Linear head;

    /// <summary>A freshly initialised model (seed it with <c>torch.random.manual_seed</c> first).</summary>
    public SceneTransformer(int classes) : base(nameof(SceneTransformer))
    {
        stem = ConvolutionalStem();
        projection = Conv2d(StemChannels[^1], Width, 1);
        classToken = new Parameter(randn(1, 1, Width) * 0.02f);
        positions = new Parameter(randn(1, Grid * Grid + 1, Width) * 0.02f);
        blocks = new ModuleList<TransformerBlock>([.. Enumerable.Range(0, Depth).Select(_ => new TransformerBlock())]);
        norm = LayerNorm(Width);
        head = Linear(Width, classes);
        RegisterComponents();
    }

    /// <summary>
    /// The transformers' stem: three 3x3 stride-2 convolutions (<see cref="StemChannels"/>), each with BatchNorm and
    /// ReLU, named <c>conv1</c>, <c>norm1</c>, <c>relu1</c>, ... as the exports read them.
    /// </summary>
    internal static Sequential ConvolutionalStem()
    {
        var layers = new List<(string, Module<Tensor, Tensor>)>();
        int input = 3;
        for (int i = 0; i < StemChannels.Length; i++)
        {
            layers.Add(($"conv{i + 1}", Conv2d(input, StemChannels[i], 3, stride: 2, padding: 1, bias: false)));
            layers.Add(($"norm{i + 1}", BatchNorm2d(StemChannels[i])));
            layers.Add(($"relu{i + 1}", ReLU()));
            input = StemChannels[i];
        }
        return Sequential(layers);
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor input)
    {
        Tensor map = projection.call(stem.call(input));
        Tensor tokens = map.flatten(2).transpose(1, 2);
        tokens = cat([classToken.expand(tokens.shape[0], -1, -1), tokens], 1) + positions;
        foreach (TransformerBlock block in blocks) tokens = block.call(tokens);
        return head.call(norm.call(tokens).select(1, 0));
    }
}
