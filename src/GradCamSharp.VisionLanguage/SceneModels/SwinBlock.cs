using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace GradCamSharp.VisionLanguage.SceneModels;

/// <summary>
/// One block of <see cref="SceneSwin"/> on a channels-last <c>[N, H, W, C]</c> grid: x + attention within windows of
/// norm1(x) (the windows shifted by half a window when <see cref="Shifted"/>, the tokens that the shift wraps around
/// kept apart by a mask), then x + mlp(norm2(x)), as torchvision's <c>SwinTransformerBlock</c>.
/// </summary>
internal sealed class SwinBlock : Module<Tensor, Tensor>
{
    private readonly LayerNorm norm1;
    private readonly Linear qkv;
    private readonly Linear proj;
    private readonly LayerNorm norm2;
    private readonly Linear fc1;
    private readonly Linear fc2;

    /// <summary>A freshly initialised block of <paramref name="width"/> channels.</summary>
    public SwinBlock(int width, bool shifted) : base(nameof(SwinBlock))
    {
        Width = width;
        Shifted = shifted;
        norm1 = LayerNorm(width);
        qkv = Linear(width, 3 * width);
        proj = Linear(width, width);
        norm2 = LayerNorm(width);
        fc1 = Linear(width, SceneSwin.MlpRatio * width);
        fc2 = Linear(SceneSwin.MlpRatio * width, width);
        RegisterComponents();
    }

    /// <summary>The token width.</summary>
    public int Width { get; }

    /// <summary>Whether the windows are shifted by <see cref="Shift"/> tokens down and right.</summary>
    public bool Shifted { get; }

    /// <summary>The shift of a shifted block's windows: half a window.</summary>
    public const int Shift = SceneSwin.Window / 2;

    /// <summary>Tokens per window.</summary>
    public const int WindowTokens = SceneSwin.Window * SceneSwin.Window;

    /// <summary>The scale of the query-key products: one over the square root of a head's width.</summary>
    public static float Scale(int width) => 1f / MathF.Sqrt(width / (float)SceneSwin.Heads);

    /// <inheritdoc />
    public override Tensor forward(Tensor x)
    {
        long n = x.shape[0], height = x.shape[1], width = x.shape[2];
        Tensor y = norm1.call(x);
        if (Shifted) y = y.roll([-Shift, -Shift], [1, 2]);
        Tensor windows = Partition(y);
        long batch = windows.shape[0];
        int headWidth = Width / SceneSwin.Heads;
        Tensor qkvs = qkv.call(windows).reshape(batch, WindowTokens, 3, SceneSwin.Heads, headWidth)
            .permute(2, 0, 3, 1, 4);
        Tensor scores = qkvs[0].matmul(qkvs[1].transpose(2, 3)) * Scale(Width);
        if (Shifted)
        {
            using Tensor mask = Mask(height, width);
            scores = (scores.reshape(n, -1, SceneSwin.Heads, WindowTokens, WindowTokens) + mask.unsqueeze(1))
                .reshape(batch, SceneSwin.Heads, WindowTokens, WindowTokens);
        }
        Tensor mixed = scores.softmax(-1).matmul(qkvs[2]).transpose(1, 2).reshape(batch, WindowTokens, Width);
        y = Unpartition(proj.call(mixed), n, height, width);
        if (Shifted) y = y.roll([Shift, Shift], [1, 2]);
        x = x + y;
        return x + fc2.call(functional.gelu(fc1.call(norm2.call(x))));
    }

    /// <summary>[N, H, W, C] as [N * windows, window tokens, C], windows row-major, tokens row-major in each.</summary>
    public static Tensor Partition(Tensor x)
    {
        long n = x.shape[0], height = x.shape[1], width = x.shape[2], channels = x.shape[3];
        const int w = SceneSwin.Window;
        return x.reshape(n, height / w, w, width / w, w, channels).permute(0, 1, 3, 2, 4, 5)
            .reshape(-1, WindowTokens, channels);
    }

    private static Tensor Unpartition(Tensor windows, long n, long height, long width)
    {
        const int w = SceneSwin.Window;
        long channels = windows.shape[^1];
        return windows.reshape(n, height / w, width / w, w, w, channels).permute(0, 1, 3, 2, 4, 5)
            .reshape(n, height, width, channels);
    }

    /// <summary>
    /// [windows, tokens, tokens] the shifted windows' attention mask (Swin's): 0 between tokens that came from the same
    /// region of the unshifted grid, -100 between tokens that the shift brought together from opposite edges.
    /// </summary>
    public static Tensor Mask(long height, long width)
    {
        const int w = SceneSwin.Window;
        var regions = new long[height * width];
        long[] Bounds(long size) => [0, size - w, size - Shift, size];
        long[] rows = Bounds(height), columns = Bounds(width);
        int region = 0;
        for (int r = 0; r < 3; r++)
        {
            for (int c = 0; c < 3; c++, region++)
            {
                for (long i = rows[r]; i < rows[r + 1]; i++)
                {
                    for (long j = columns[c]; j < columns[c + 1]; j++) regions[i * width + j] = region;
                }
            }
        }
        using var scope = NewDisposeScope();
        Tensor ids = Partition(tensor(regions).reshape(1, height, width, 1)).squeeze(-1);
        return ids.unsqueeze(1).ne(ids.unsqueeze(2)).to(ScalarType.Float32).mul(-100f).MoveToOuterDisposeScope();
    }
}
