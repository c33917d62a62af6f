using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace GradCamSharp.VisionLanguage.SceneModels;

/// <summary>
/// A small Swin transformer (Liu et al., "Swin Transformer: Hierarchical Vision Transformer using Shifted Windows",
/// ICCV 2021) for the shape world's 128x128 scenes, laid out as torchvision's <c>swin_t</c>: channels-last
/// <c>[N, H, W, C]</c> blocks, attention inside 4x4 windows (every second block's windows shifted by half a window,
/// with the mask that keeps wrapped-around tokens apart), a patch merging between the two stages, a final LayerNorm,
/// and a head that pools every token as a CNN's does. The stem is <see cref="SceneTransformer"/>'s (three 3x3 stride-2
/// convolutions, then a 1x1 projection: a 16x16 grid); a convolutional stem gives positions, so no relative position
/// bias is learnt. Stage one works on the 16x16 grid at <see cref="Width"/> channels, stage two on 8x8 at twice that.
/// </summary>
internal sealed class SceneSwin : Module<Tensor, Tensor>
{
    /// <summary>The first stage's token width; the second stage's is twice it.</summary>
    public const int Width = 64;

    /// <summary>The attention heads per block.</summary>
    public const int Heads = 4;

    /// <summary>A window's side, in tokens.</summary>
    public const int Window = 4;

    /// <summary>The MLP's hidden width over the token width.</summary>
    public const int MlpRatio = 2;

    /// <summary>The first stage's grid side for a 128x128 scene.</summary>
    public const int Grid = 16;

    /// <summary>Blocks per stage.</summary>
    public const int BlocksPerStage = 2;

    private readonly Sequential stem;
    private readonly Conv2d projection;
    private readonly ModuleList<SwinBlock> blocks;
    private readonly LayerNorm mergeNorm;
    private readonly Linear mergeReduction;
    private readonly LayerNorm norm;
    private readonly Linear head;

    /// <summary>A freshly initialised model (seed it with <c>torch.random.manual_seed</c> first).</summary>
    public SceneSwin(int classes) : base(nameof(SceneSwin))
    {
        stem = SceneTransformer.ConvolutionalStem();
        projection = Conv2d(SceneTransformer.StemChannels[^1], Width, 1);
        blocks = new ModuleList<SwinBlock>([.. Enumerable.Range(0, 2 * BlocksPerStage)
            .Select(b => new SwinBlock(StageWidth(b), b % 2 == 1))]);
        mergeNorm = LayerNorm(4 * Width);
        mergeReduction = Linear(4 * Width, 2 * Width, hasBias: false);
        norm = LayerNorm(2 * Width);
        head = Linear(2 * Width, classes);
        RegisterComponents();
    }

    /// <summary>The token width of block <paramref name="block"/>.</summary>
    public static int StageWidth(int block) => block < BlocksPerStage ? Width : 2 * Width;

    /// <inheritdoc />
    public override Tensor forward(Tensor input)
    {
        Tensor x = projection.call(stem.call(input)).permute(0, 2, 3, 1);
        for (int b = 0; b < blocks.Count; b++)
        {
            if (b == BlocksPerStage) x = mergeReduction.call(mergeNorm.call(Merge(x)));
            x = blocks[b].call(x);
        }
        Tensor pooled = norm.call(x).permute(0, 3, 1, 2).mean([2, 3]);
        return head.call(pooled);
    }

    /// <summary>torchvision's patch merging: each 2x2 neighbourhood's four tokens side by side, [N, H/2, W/2, 4C].
    /// </summary>
    private static Tensor Merge(Tensor x) => cat([x[.., TensorIndex.Slice(0, null, 2), TensorIndex.Slice(0, null, 2)],
        x[.., TensorIndex.Slice(1, null, 2), TensorIndex.Slice(0, null, 2)],
        x[.., TensorIndex.Slice(0, null, 2), TensorIndex.Slice(1, null, 2)],
        x[.., TensorIndex.Slice(1, null, 2), TensorIndex.Slice(1, null, 2)]], -1);
}
