using System.Diagnostics;
using System.Text.Json;
using GradCamSharp.Maps;
using GradCamSharp.Models;
using GradCamSharp.Onnx;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace GradCamSharp.Evaluation.Tests;

/// <summary>
/// ROAD's noisy linear imputation against pytorch-grad-cam's own (scipy's sparse solver) and against the properties
/// that define it; ROAD and ARCC against hand computations.
/// </summary>
public sealed class RoadTests(ITestOutputHelper output)
{
    private static string Fixture(string name) =>
        Path.Combine(SharedFixtures.RepositoryRoot, "tests", "GradCamSharp.Evaluation.Tests", "road", name);

    private static float[] Values(Tensor t) => t.contiguous().to(ScalarType.Float32).data<float>().ToArray();

    [Fact]
    public void Imputation_EqualsPytorchGradCamsSparseSolve()
    {
        // road/make_imputation.py: pytorch-grad-cam's NoisyLinearImputer with noise 0 (scipy's spsolve).
        using JsonDocument cases = JsonDocument.Parse(File.ReadAllText(Fixture("imputation_scipy.json")));
        foreach (JsonElement item in cases.RootElement.EnumerateArray())
        {
            using DisposeScope scope = NewDisposeScope();
            long[] shape = [.. item.GetProperty("shape").EnumerateArray().Select(v => v.GetInt64())];
            Tensor Read(string name, long[] dims) => tensor(item.GetProperty(name).EnumerateArray()
                .Select(v => (float)v.GetDouble()).ToArray()).reshape(dims);
            Tensor image = Read("image", [1, .. shape]);
            Tensor kept = Read("kept", [1, 1, shape[1], shape[2]]);
            Tensor filled = NoisyLinearImputation.Impute(image, 1 - kept, noise: 0, tolerance: 1e-10);
            Tolerance.AssertClose(Values(Read("filled", [1, .. shape])), Values(filled), 1e-5,
                $"[{string.Join(", ", shape)}]");
        }
    }

    [Fact]
    public void Imputation_ReproducesALinearRampInsideTheImage_AndKeepsTheKeptPixels()
    {
        using DisposeScope scope = NewDisposeScope();
        // A plane is harmonic under the symmetric stencil: holes away from the border are filled exactly.
        Tensor rows = arange(20, dtype: ScalarType.Float32).reshape(1, 1, 20, 1);
        Tensor columns = arange(24, dtype: ScalarType.Float32).reshape(1, 1, 1, 24);
        Tensor image = cat([0.3f * rows - 0.2f * columns + 1, 0.1f * columns + 0 * rows], 1);
        Tensor removed = zeros(1, 1, 20, 24);
        removed[.., .., 3..9, 4..12] = 1;
        removed[.., .., 12..18, 15..22] = 1;
        Tensor filled = NoisyLinearImputation.Impute(image, removed, noise: 0, tolerance: 1e-10);
        Tolerance.AssertClose(Values(image), Values(filled), 1e-6);

        // With noise, the kept pixels stay exactly; the removed ones move by about the noise.
        manual_seed(3);
        Tensor random = randn(2, 3, 20, 24);
        Tensor noisy = NoisyLinearImputation.Impute(random, removed, noise: 0.01, seed: 5);
        Tensor plain = NoisyLinearImputation.Impute(random, removed, noise: 0, tolerance: 1e-10);
        Assert.Equal(Values(random * (1 - removed)), Values(noisy * (1 - removed)));
        double spread = ((noisy - plain) * removed).square().sum().item<float>()
            / (removed.sum().item<float>() * 6);
        Assert.InRange(Math.Sqrt(spread), 0.008, 0.012);
        Assert.Equal(Values(noisy), Values(NoisyLinearImputation.Impute(random, removed, noise: 0.01, seed: 5)));
    }

    [Fact]
    public void Imputation_EveryPixelRemoved_IsRefused()
    {
        using DisposeScope scope = NewDisposeScope();
        Assert.Throws<ArgumentException>(() => NoisyLinearImputation.Impute(randn(1, 3, 4, 4), ones(1, 1, 4, 4)));
    }

    /// <summary>Logits [sum of the pixels, 0]: the first class's probability is the sigmoid of the sum.</summary>
    private static OnnxExplainableModel SumModel() => new(new OnnxGraphBuilder("sum")
        .Input("input", -1, 1, 3, 3)
        .Output("logits", -1, 2)
        .Initializer("w", [2, 9], [.. Enumerable.Repeat(1f, 9), .. Enumerable.Repeat(0f, 9)])
        .Node("Flatten", "flatten", ["input"], ["flat"], ("axis", 1L))
        .Node("Gemm", "logits", ["flat", "w"], ["logits"], ("transB", 1L))
        .Load());

    [Fact]
    public void Road_OnePixelRemoved_MatchesTheHandComputation()
    {
        using OnnxExplainableModel model = SumModel();
        using DisposeScope scope = NewDisposeScope();
        Tensor input = tensor(new float[] { 0, 0, 0, 0, 9, 0, 0, 0, 6 }).reshape(1, 1, 3, 3);
        // The centre is the most relevant pixel, the top-left corner the least.
        var saliency = new Heatmap(3, 3, [0, 0.2f, 0.3f, 0.4f, 1, 0.5f, 0.6f, 0.7f, 0.8f]);
        RoadCurves curves = Road.Compute(model, input, 0, saliency, shares: [1 / 9.0], noise: 0);

        // MoRF: the centre becomes the weighted mean of its 8 neighbours, 6 / 12 (a corner weighs 1/12): sum 6.5.
        // LeRF: the corner becomes that of its 3 neighbours inside, (9 / 12) / (1/6 + 1/6 + 1/12) = 1.8: sum 16.8.
        static double Sigmoid(double z) => 1 / (1 + Math.Exp(-z));
        Assert.Equal(Sigmoid(15), curves.Original, 6);
        Assert.Equal(Sigmoid(6.5) - Sigmoid(15), curves.MostRelevantFirst.Single(), 5);
        Assert.Equal(Sigmoid(16.8) - Sigmoid(15), curves.LeastRelevantFirst.Single(), 5);
        Assert.Equal((curves.LeastRelevantFirstMean - curves.MostRelevantFirstMean) / 2, curves.Combined, 12);
    }

    [SkippableFact]
    public void Road_OnAResNet_RanksAMapAboveItsReverse()
    {
        using var model = new OnnxExplainableModel(OnnxModule.Load(
            SharedFixtures.RequireGunzipped("fixtures/onnx/resnet18.onnx.gz")));
        using DisposeScope scope = NewDisposeScope();
        manual_seed(8);
        Tensor input = randn(1, 3, 224, 224);
        int top;
        using (no_grad()) top = (int)model.Forward(input, ForwardTaps.None).argmax(1).item<long>();
        Heatmap map = new Methods.GradCam(model).Explain(input, new Targets.ClassTarget(top)).Single().Heatmap;
        var stopwatch = Stopwatch.StartNew();
        RoadCurves forward = Road.Compute(model, input, top, map);
        output.WriteLine($"ROAD of one 224x224 map, 18 imputations: {stopwatch.ElapsedMilliseconds} ms");
        RoadCurves reverse = Road.Compute(model, input, top, new Heatmap(map.Width, map.Height,
            [.. map.Values.Select(v => 1 - v)]));
        Assert.Equal(9, forward.MostRelevantFirst.Length);
        // The reversed map swaps the two orders: its MoRF is the map's LeRF and the other way round.
        Assert.True(forward.Combined > reverse.Combined, $"{forward.Combined} against {reverse.Combined}");
    }

    [Fact]
    public void Arcc_IsTheHarmonicMeanOfCoherencySimplicityAndRoad()
    {
        var map = new Heatmap(2, 2, [1, 0, 0.5f, 0.5f]);
        Assert.Equal(0.5, Arcc.Complexity(map), 12);
        Assert.Equal(1, Arcc.Coherency(map, new Heatmap(2, 2, [0.8f, 0.2f, 0.5f, 0.5f])), 6);
        Assert.Equal(0, Arcc.Coherency(map, new Heatmap(2, 2, [0f, 1f, 0.5f, 0.5f])), 6);
        Assert.Equal(0.5, Arcc.Coherency(map, new Heatmap(2, 2, [0.3f, 0.3f, 0.3f, 0.3f])), 6);

        // Coherency 0.8, simplicity 1 - 0.25 = 0.75, ROAD 0.2 doubled to 0.4: 3 / (1/0.8 + 1/0.75 + 1/0.4).
        Assert.Equal(3 / (1.25 + 4 / 3.0 + 2.5), Arcc.Score(0.25, 0.8, 0.2), 6);
        // A ROAD at or below zero (no better than chance) leaves nothing, whatever the rest.
        Assert.InRange(Arcc.Score(0.1, 0.99, -0.1), 0, 1e-7);
        Assert.Equal(1, Arcc.Score(0, 1, 0.5), 6);
    }
}
