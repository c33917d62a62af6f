using System.Text.Json;
using GradCamSharp.Methods;
using GradCamSharp.Models;
using GradCamSharp.Targets;
using TorchSharp;
using static TorchSharp.torch;

namespace GradCamSharp.Onnx.Tests;

/// <summary>
/// Attention rollout and attention relevance against their rules computed by hand (loops over plain arrays) on a
/// two-block, two-head transformer in miniature (<see cref="TransformerGraphs.MiniAttention"/>): the attention read
/// by name, and for relevance the score's gradient at each attention entry by central differences.
/// </summary>
public sealed class AttentionMethodTests
{
    private const int Blocks = 2, Heads = 2;

    // 16x32 pixels: a class token and 2x4 patches, T = 9.
    private static Tensor Input(int samples = 1, int seed = 3)
    {
        manual_seed(seed);
        return randn(samples, 3, 16, 32);
    }

    private static OnnxExplainableModel Model() =>
        new(TransformerGraphs.MiniAttention(Blocks, Heads).Load());

    /// <summary>Each block's attention of sample 0, [heads][i][j], as the forward pass computed it.</summary>
    private static double[][][][] Attention(OnnxExplainableModel model, Tensor input)
    {
        var found = new double[Blocks][][][];
        using (no_grad())
        {
            model.Forward(input, new ForwardTaps
            {
                ObserveEveryLayer = (name, value) =>
                {
                    if (!name.StartsWith("attention", StringComparison.Ordinal)) return;
                    found[int.Parse(name["attention".Length..], System.Globalization.CultureInfo.InvariantCulture)] =
                        ToArrays(value[0]);
                },
            });
        }
        return found;
    }

    private static double[][][] ToArrays(Tensor heads) => Enumerable.Range(0, (int)heads.shape[0])
        .Select(h => Enumerable.Range(0, (int)heads.shape[1]).Select(i =>
            heads[h, i].to(ScalarType.Float64).data<double>().ToArray()).ToArray()).ToArray();

    private static double[][] Identity(int t) =>
        Enumerable.Range(0, t).Select(i => Enumerable.Range(0, t).Select(j => i == j ? 1.0 : 0.0).ToArray()).ToArray();

    private static double[][] Times(double[][] a, double[][] b) => a.Select(row => Enumerable.Range(0, b[0].Length)
        .Select(j => row.Select((v, k) => v * b[k][j]).Sum()).ToArray()).ToArray();

    private static double[][] HeadMean(double[][][] heads, Func<int, int, int, double> entry) =>
        Enumerable.Range(0, heads[0].Length).Select(i => Enumerable.Range(0, heads[0].Length)
            .Select(j => Enumerable.Range(0, heads.Length).Average(h => entry(h, i, j))).ToArray()).ToArray();

    private static void AssertMatrix(double[][] expected, Tensor actual, double tolerance)
    {
        for (int i = 0; i < expected.Length; i++)
            Tolerance.AssertClose([.. expected[i].Select(v => (float)v)], actual[i].data<float>().ToArray(), tolerance,
                $"row {i}");
    }

    [Fact]
    public void TheAttentionLayers_AreFoundFromTheGraph()
    {
        using OnnxExplainableModel model = Model();
        Assert.Equal(["attention0", "attention1"], model.AttentionLayers);
        Assert.Null(KnownMethods.Get("attention-rollout").Obstacle(model));
        // A token model without attention (tokens mixed by a mean), and a CNN, have none, and say so.
        using var noAttention = new OnnxExplainableModel(TransformerGraphs.MiniVitWithClassTokenHead(
            new float[TransformerGraphs.Classes * TransformerGraphs.Channels]).Load());
        Assert.Empty(noAttention.AttentionLayers);
        Assert.Equal(AttentionFlow.NoAttentionObstacle, KnownMethods.Get("attention-relevance").Obstacle(noAttention));
        using DisposeScope scope = NewDisposeScope();
        UsageException refused = Assert.Throws<UsageException>(() =>
            new AttentionRollout(noAttention).Explain(randn(1, 3, 16, 16), new ClassTarget(0)));
        Assert.Contains("shows none", refused.Message);
    }

    [Fact]
    public void Rollout_IsTheProductOfHeadMeanAttentionPlusIdentity_RowsNormalised()
    {
        using DisposeScope scope = NewDisposeScope();
        using OnnxExplainableModel model = Model();
        Tensor input = Input();
        double[][][][] attention = Attention(model, input);
        double[][] expected = Identity(9);
        foreach (double[][][] heads in attention)
        {
            double[][] mixed = HeadMean(heads, (h, i, j) => heads[h][i][j] + (i == j ? 1 : 0));
            mixed = mixed.Select(row => row.Select(v => v / row.Sum()).ToArray()).ToArray();
            expected = Times(mixed, expected);
        }
        AssertMatrix(expected, AttentionFlow.Rollout(model, input)[0], 1e-5);

        // The method: the class token's row over the 2x4 patches, and the same map whatever the class.
        Explanation[] maps = [.. new AttentionRollout(model).Explain(input, new ClassTarget(0), new ClassTarget(2))];
        Assert.Equal(new TokenGrid(2, 4, 1), maps[0].Tokens);
        Tolerance.AssertClose(expected[0][1..].Select(v => (float)v).ToArray(), maps[0].RawMap!.Values, 1e-5);
        Assert.Equal(maps[0].RawMap!.Values, maps[1].RawMap!.Values);
        Assert.Equal((32, 16), (maps[0].Heatmap.Width, maps[0].Heatmap.Height));
    }

    [Fact]
    public void Relevance_AccumulatesThePositiveGradientTimesAttention_ByFiniteDifferences()
    {
        using DisposeScope scope = NewDisposeScope();
        using OnnxExplainableModel model = Model();
        Tensor input = Input();
        double[][][][] attention = Attention(model, input);
        foreach (int target in new[] { 0, 1 })
        {
            double[][] expected = Identity(9);
            for (int b = 0; b < Blocks; b++)
            {
                double[][][] gradient = FiniteDifferenceGradient(model, input, $"attention{b}", target);
                double[][][] heads = attention[b];
                double[][] weighted = HeadMean(heads, (h, i, j) => Math.Max(0, gradient[h][i][j] * heads[h][i][j]));
                double[][] step = Times(weighted, expected);
                expected = expected.Select((row, i) => row.Select((v, j) => v + step[i][j]).ToArray()).ToArray();
            }
            Tensor relevance = AttentionFlow.Relevance(model, input, target)[0];
            AssertMatrix(expected, relevance, 2e-3);
            Explanation map = new AttentionRelevance(model).Explain(input, new ClassTarget(target)).Single();
            Tolerance.AssertClose(relevance[0, 1..].data<float>().ToArray(), map.RawMap!.Values, 1e-6);
        }
        // Class-specific, unlike rollout.
        Assert.NotEqual(AttentionFlow.Relevance(model, input, 0)[0, 0].data<float>().ToArray(),
            AttentionFlow.Relevance(model, input, 1)[0, 0].data<float>().ToArray());
    }

    /// <summary>d(score of <paramref name="target"/>)/d(attention entry), every entry by central differences.
    /// </summary>
    private static double[][][] FiniteDifferenceGradient(OnnxExplainableModel model, Tensor input, string layer,
        int target)
    {
        const double Step = 1e-2;
        double Score(int h, int i, int j, double delta)
        {
            using DisposeScope scope = NewDisposeScope();
            using IDisposable noGradients = no_grad();
            var taps = new ForwardTaps
            {
                Layer = layer,
                ReplaceLayerOutput = value =>
                {
                    Tensor nudged = value.clone();
                    nudged[0, h, i, j] += delta;
                    return nudged;
                },
            };
            return model.Forward(input, taps)[0, target].item<float>();
        }
        return Enumerable.Range(0, Heads).Select(h => Enumerable.Range(0, 9).Select(i => Enumerable.Range(0, 9)
            .Select(j => (Score(h, i, j, Step) - Score(h, i, j, -Step)) / (2 * Step)).ToArray()).ToArray()).ToArray();
    }

    [Fact]
    public void ABatch_IsExplainedSampleBySample()
    {
        using DisposeScope scope = NewDisposeScope();
        using OnnxExplainableModel model = Model();
        Tensor batch = Input(samples: 2, seed: 8);
        foreach (Func<Tensor, Tensor> flow in new Func<Tensor, Tensor>[]
            { x => AttentionFlow.Rollout(model, x), x => AttentionFlow.Relevance(model, x, 1) })
        {
            Tensor both = flow(batch);
            Tolerance.AssertClose(flow(batch[0..1]).data<float>().ToArray(), both[0..1].data<float>().ToArray(), 1e-5);
            Tolerance.AssertClose(flow(batch[1..2]).data<float>().ToArray(), both[1..2].data<float>().ToArray(), 1e-5);
        }
    }

    private static string Fixture(string name) => PyTorchReferences.Fixture("transformers", name);

    [Fact]
    public void OnTorchvisionsVit_RolloutAndRelevance_ArePyTorchsOwn()
    {
        // transformers/make_attention.py: the same model in PyTorch, its attention run by hand so that autograd gives
        // the gradient there, and both rules as the papers write them.
        using DisposeScope scope = NewDisposeScope();
        using JsonDocument golden = JsonDocument.Parse(File.ReadAllText(Fixture("vit_tiny_attention.json")));
        using var vit = new OnnxExplainableModel(OnnxModule.Load(Fixture("vit_tiny.onnx")));
        Tensor input = PyTorchReferences.SineInput(64);
        Explanation rollout = new AttentionRollout(vit).Explain(input, new ClassTarget(0)).Single();
        Tolerance.AssertClose(PyTorchReferences.Floats(golden.RootElement.GetProperty("rollout")),
            rollout.RawMap!.Values, 1e-4);
        JsonElement[] relevance = [.. golden.RootElement.GetProperty("relevance").EnumerateArray()];
        for (int target = 0; target < relevance.Length; target++)
        {
            Explanation map = new AttentionRelevance(vit).Explain(input, new ClassTarget(target)).Single();
            Tolerance.AssertClose(PyTorchReferences.Floats(relevance[target]), map.RawMap!.Values, 1e-4,
                $"class {target}");
        }
    }

    [Fact]
    public void TorchvisionsVit_HasAnAttentionPerBlock_AndSwinsWindowsAreRefused()
    {
        using DisposeScope scope = NewDisposeScope();
        using var vit = new OnnxExplainableModel(OnnxModule.Load(Fixture("vit_tiny.onnx")));
        // PyTorch's MultiheadAttention exports its probabilities as [N * heads, T, T].
        Assert.Equal(2, vit.AttentionLayers.Count);
        Tensor input = randn(1, 3, 64, 64);
        foreach (string method in new[] { "attention-rollout", "attention-relevance" })
        {
            Explanation map = KnownMethods.Create(method, vit).Explain(input, new ClassTarget(1)).Single();
            Assert.Equal(new TokenGrid(4, 4, 1), map.Tokens);
            Assert.Equal(1f, map.Heatmap.Values.Max(), 5);
        }
        using var swin = new OnnxExplainableModel(OnnxModule.Load(Fixture("swin_tiny.onnx")));
        Assert.NotEmpty(swin.AttentionLayers);
        UsageException windows = Assert.Throws<UsageException>(() =>
            new AttentionRollout(swin).Explain(randn(1, 3, 32, 32), new ClassTarget(0)));
        Assert.Contains("windows", windows.Message);
    }
}
