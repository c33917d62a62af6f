using GradCamSharp.Methods;
using GradCamSharp.Models;
using GradCamSharp.Targets;
using TorchSharp;
using static TorchSharp.torch;

namespace GradCamSharp.Onnx.Tests;

/// <summary>
/// A transformer's token layer is explained as the map of its patch tokens, with nothing to configure: the grid
/// follows from the input's size, the class token is left out, and the model's output is what it was.
/// </summary>
public sealed class TokenLayerTests
{
    private const int Channels = TransformerGraphs.Channels, Classes = TransformerGraphs.Classes;

    private static OnnxModule MiniVit(float[] head) => TransformerGraphs.MiniVit(head).Load();

    private static float[] Head()
    {
        manual_seed(5);
        return randn(Classes * Channels).data<float>().ToArray();
    }

    [Theory]
    [InlineData(32, 32, 4, 4)]
    [InlineData(32, 48, 4, 6)]
    public void GradCam_AtATokenLayer_IsTheClosedFormOnThePatchGrid(int height, int width, int rows, int columns)
    {
        using DisposeScope scope = NewDisposeScope();
        float[] head = Head();
        using var model = new OnnxExplainableModel(MiniVit(head));
        manual_seed(6);
        Tensor input = randn(1, 3, height, width);
        Tensor before = model.Forward(input, ForwardTaps.None).detach().clone();

        Explanation map = new GradCam(model, new CamOptions { Layer = "tokens" }).Explain(input, new ClassTarget(2))
            .Single();

        Assert.Equal(new TokenGrid(rows, columns, 1), map.Tokens);
        Assert.Equal((columns, rows), (map.RawMap!.Width, map.RawMap.Height));
        Assert.Equal((width, height), (map.Heatmap.Width, map.Heatmap.Height));
        // Mean pooling over every token (the class token too) and a linear head: d(score)/dA_k = head[2, k] / T at
        // every patch, so the map is relu(sum_k head[2, k] / T * A_k) over the patch tokens.
        int tokens = rows * columns + 1;
        Tensor patchTokens = TokenValues(model, input)[0, 1..];
        for (int p = 0; p < rows * columns; p++)
        {
            double sum = 0;
            for (int k = 0; k < Channels; k++) sum += head[2 * Channels + k] / tokens * patchTokens[p, k].item<float>();
            Assert.Equal((float)Math.Max(0, sum), map.RawMap.Values[p], 4);
        }
        Tolerance.AssertClose(before.data<float>().ToArray(),
            model.Forward(input, ForwardTaps.None).data<float>().ToArray(), 1e-6);
    }

    [Fact]
    public void PatchesThatAreNotSquare_NeedTheGridGiven_AndThenFollowTheClosedForm()
    {
        using DisposeScope scope = NewDisposeScope();
        float[] head = Head();
        // 8x4 patches of a 32x32 input: 4 rows of 8 patch tokens behind the class token, 33 tokens, which no grid
        // of square patches gives.
        using var model = new OnnxExplainableModel(TransformerGraphs.MiniVit(head, patchWidth: 4).Load());
        manual_seed(8);
        Tensor input = randn(1, 3, 32, 32);

        var refused = Assert.Throws<UsageException>(() =>
            new GradCam(model, new CamOptions { Layer = "tokens" }).Explain(input, new ClassTarget(1)));
        Assert.Contains("[1, 33, 8]", refused.Message);
        Assert.Contains("--token-grid", refused.Message);
        var misfit = Assert.Throws<UsageException>(() => new GradCam(model, new CamOptions
        {
            Layer = "tokens", Tokens = new TokenGrid(4, 4, 1),
        }).Explain(input, new ClassTarget(1)));
        Assert.Contains("not the 4x4 grid", misfit.Message);

        var grid = new TokenGrid(4, 8, 1);
        Explanation map = new GradCam(model, new CamOptions { Layer = "tokens", Tokens = grid })
            .Explain(input, new ClassTarget(1)).Single();
        Assert.Equal(grid, map.Tokens);
        Tensor patchTokens = TokenValues(model, input)[0, 1..];
        for (int p = 0; p < 32; p++)
        {
            double sum = 0;
            for (int k = 0; k < Channels; k++) sum += head[Channels + k] / 33.0 * patchTokens[p, k].item<float>();
            Assert.Equal((float)Math.Max(0, sum), map.RawMap!.Values[p], 4);
        }
        Assert.Equal(grid, TokenGrid.Parse("4x8", 1));
        Assert.Null(TokenGrid.Parse(null, null));
        Assert.Throws<UsageException>(() => TokenGrid.Parse("4by8", null));
        Assert.Throws<UsageException>(() => TokenGrid.Parse(null, 2));
    }

    [Fact]
    public void EveryCamFamilyMethod_AndAblationCam_RunAtATokenLayer_AndSayWhichGrid()
    {
        using DisposeScope scope = NewDisposeScope();
        using var model = new OnnxExplainableModel(MiniVit(Head()));
        manual_seed(7);
        Tensor input = randn(1, 3, 32, 32);
        string[] methods = ["gradcam", "gradcam++", "xgradcam", "hirescam", "layercam", "eigencam", "ablationcam",
            "scorecam"];

        IReadOnlyList<Explanation> maps = KnownMethods.CreateSet(methods, model, new CamOptions { Layer = "tokens" })
            .Explain(input, new ClassTarget(1));

        Assert.Equal(methods, maps.Select(m => m.Method));
        Assert.All(maps, m => Assert.Equal(new TokenGrid(4, 4, 1), m.Tokens));
        Assert.All(maps, m => Assert.True(m.Heatmap.Values.All(float.IsFinite), m.Method));
    }

    [Fact]
    public void TheAutomaticLayer_OfATransformer_IsTheLastTokenLayerWhosePatchesReachTheScore()
    {
        using DisposeScope scope = NewDisposeScope();
        Tensor input = randn(1, 3, 32, 48);
        using var pooled = new OnnxExplainableModel(MiniVit(Head()));
        using var classTokenHead = new OnnxExplainableModel(
            TransformerGraphs.MiniVitWithClassTokenHead(Head()).Load());

        // Pooling every token: the last token layer. Only the class token reaching the head: the layer before the
        // tokens are mixed ("mixed" and "late" reach the score through the class token alone, so maps there are blank).
        Assert.Equal("tokens", ModelLayers.Resolve(pooled, ModelLayers.Auto, input));
        Assert.Equal("tokens", ModelLayers.Resolve(classTokenHead, ModelLayers.Auto, input));
        Explanation late = new GradCam(classTokenHead, new CamOptions { Layer = "late" })
            .Explain(input, new ClassTarget(0)).Single();
        Explanation automatic = new GradCam(classTokenHead).Explain(input, new ClassTarget(0)).Single();
        Assert.Equal("tokens", automatic.Layer);
        Assert.Equal(new TokenGrid(4, 6, 1), automatic.Tokens);
        Assert.All(late.RawMap!.Values, value => Assert.Equal(0f, value));
        // A CNN keeps its last spatial map.
        Assert.Equal("grid", ModelLayers.Resolve(new OnnxExplainableModel(new OnnxGraphBuilder("cnn")
            .Input("x", 1, 3, 32, 32).Output("logits", 1, 8)
            .Initializer("w", [8, 3, 8, 8], Enumerable.Range(0, 8 * 3 * 64).Select(i => i % 7 / 7f).ToArray())
            .Node("Conv", "conv", ["x", "w"], ["grid"], ("strides", new long[] { 8, 8 }))
            .Node("GlobalAveragePool", "pool", ["grid"], ["pooled"])
            .Node("Flatten", "flatten", ["pooled"], ["logits"]).Load()), ModelLayers.Auto, randn(1, 3, 32, 32)));
    }

    [Fact]
    public void TokensThatTileNoGrid_AreAUsageError_NamingTheShape()
    {
        using DisposeScope scope = NewDisposeScope();
        // 3 x 32 x 32 values read as 48 tokens of 64: no grid of square patches after at most 8 leading tokens.
        OnnxModule module = new OnnxGraphBuilder("no-grid")
            .Input("x", 1, 3, 32, 32)
            .Output("logits", 1, 2)
            .Initializer("shape", [3], new long[] { 1, 48, 64 })
            .Initializer("head", [2, 64], Enumerable.Range(0, 128).Select(i => i / 128f).ToArray())
            .Node("Reshape", "fold", ["x", "shape"], ["folded"])
            .Node("Relu", "block", ["folded"], ["tokens"])
            .Node("ReduceMean", "pool", ["tokens"], ["pooled"], ("axes", new long[] { 1 }), ("keepdims", 0L))
            .Node("Gemm", "fc", ["pooled", "head"], ["logits"], ("transB", 1L))
            .Load();
        using var model = new OnnxExplainableModel(module);

        var error = Assert.Throws<UsageException>(() => new GradCam(model, new CamOptions { Layer = "tokens" })
            .Explain(randn(1, 3, 32, 32), new ClassTarget(0)));

        Assert.Contains("[1, 48, 64]", error.Message);
        Assert.Contains("32x32", error.Message);
    }

    [Theory]
    [InlineData(197, 224, 224, 14, 14, 1)]
    [InlineData(198, 224, 224, 14, 14, 2)]
    [InlineData(281, 224, 320, 14, 20, 1)]
    [InlineData(50, 224, 224, 7, 7, 1)]
    [InlineData(196, 224, 224, 14, 14, 0)]
    public void TheGrid_FollowsFromTheTokensAndTheInputSize(int tokens, int height, int width, int rows, int columns,
        int skipped) =>
        Assert.Equal(new TokenGrid(rows, columns, skipped), TokenGrid.Infer(tokens, height, width));

    private static Tensor TokenValues(OnnxExplainableModel model, Tensor input)
    {
        Tensor? kept = null;
        model.Forward(input, new ForwardTaps
        {
            Layer = "tokens",
            ReplaceLayerOutput = output =>
            {
                kept = output.detach().clone();
                return output;
            },
        });
        return kept!;
    }
}
