using GradCamSharp.Methods;
using GradCamSharp.Models;
using GradCamSharp.Targets;
using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace GradCamSharp.Tests;

public sealed class CamMethodTests
{
    private const int Class = 2;

    /// <summary>A[N, K, h, w] of the GAP+linear network, and its classifier weights W[classes, K].</summary>
    private static (Tensor Features, Tensor Weights) Internals(Module<Tensor, Tensor> model, Tensor input)
    {
        using var noGrad = no_grad();
        var modules = model.named_modules().ToDictionary(m => m.name, m => m.module);
        Tensor features = ((Module<Tensor, Tensor>)modules["features"]).call(input);
        Tensor weights = ((TorchSharp.Modules.Linear)modules["fc"]).weight!.detach().clone();
        return (features, weights);
    }

    private static float[] Values(Tensor t) => t.contiguous().to(ScalarType.Float32).data<float>().ToArray();

    private static void AssertClose(float[] expected, float[] actual, double tolerance) =>
        Tolerance.AssertClose(expected, actual, tolerance);

    [Fact]
    public void GradCam_GapLinearHead_EqualsClassicCam()
    {
        using DisposeScope scope = NewDisposeScope();
        Module<Tensor, Tensor> model = TestNetworks.GapLinear();
        Tensor input = randn(1, 3, 16, 16);
        (Tensor features, Tensor weights) = Internals(model, input);
        long positions = features.shape[2] * features.shape[3];

        Explanation explanation = new GradCam(new TorchModuleModel(model), new CamOptions { Layer = "features" })
            .Explain(input, new ClassTarget(Class)).Single();

        // CAM (Zhou et al. 2016): M_c = sum_k W[c, k] A_k; Grad-CAM's weights are W[c, k] / (h w).
        Tensor cam = einsum("k,kij->ij", weights[Class], features[0]).relu() / positions;
        AssertClose(Values(cam), explanation.RawMap!.Values, 1e-5);
        Assert.Equal(16, explanation.Heatmap.Width);
        Assert.InRange(explanation.Heatmap.Values.Min(), 0f, 1e-6f);
        Assert.InRange(explanation.Heatmap.Max, 1f - 1e-5f, 1f);
    }

    [Fact]
    public void HiResCamAndXGradCam_GapLinearHead_EqualGradCam()
    {
        using DisposeScope scope = NewDisposeScope();
        var model = new TorchModuleModel(TestNetworks.GapLinear());
        Tensor input = randn(2, 3, 16, 16);
        var options = new CamOptions { Layer = "features" };
        float[] gradCam = new GradCam(model, options).Explain(input,
            new ClassTarget(Class)).SelectMany(e => e.RawMap!.Values).ToArray();
        float[] hiRes = new HiResCam(model, options).Explain(input,
            new ClassTarget(Class)).SelectMany(e => e.RawMap!.Values).ToArray();
        float[] xGrad = new XGradCam(model, options).Explain(input,
            new ClassTarget(Class)).SelectMany(e => e.RawMap!.Values).ToArray();
        AssertClose(gradCam, hiRes, 1e-5);
        AssertClose(gradCam, xGrad, 1e-5);
    }

    [Fact]
    public void LayerCamAndGradCamPlusPlus_GapLinearHead_MatchClosedForms()
    {
        using DisposeScope scope = NewDisposeScope();
        Module<Tensor, Tensor> network = TestNetworks.GapLinear();
        var model = new TorchModuleModel(network);
        Tensor input = randn(1, 3, 16, 16);
        (Tensor features, Tensor weights) = Internals(network, input);
        long positions = features.shape[2] * features.shape[3];
        Tensor gradient = weights[Class] / positions;                      // dy/dA_kij, the same at every position
        var options = new CamOptions { Layer = "features" };

        Tensor layerCam = einsum("k,kij->ij", gradient.relu(), features[0]).relu();
        float[] layerCamMap =
            new LayerCam(model, options).Explain(input, new ClassTarget(Class)).Single().RawMap!.Values;
        AssertClose(Values(layerCam), layerCamMap, 1e-5);

        // alpha_ij = g^2 / (2 g^2 + S g^3) = 1 / (2 + S g), so w_k = h w relu(g_k) / (2 + S_k g_k).
        Tensor sums = features[0].sum([1, 2]);
        Tensor plusPlusWeights = positions * gradient.relu() / (2 + sums * gradient);
        Tensor plusPlus = einsum("k,kij->ij", plusPlusWeights, features[0]).relu();
        float[] plusPlusMap =
            new GradCamPlusPlus(model, options).Explain(input, new ClassTarget(Class)).Single().RawMap!.Values;
        AssertClose(Values(plusPlus), plusPlusMap, 1e-4);
    }

    [Fact]
    public void GradCamElementWiseAndEigenGradCam_GapLinearHead_MatchClosedForms()
    {
        using DisposeScope scope = NewDisposeScope();
        Module<Tensor, Tensor> network = TestNetworks.GapLinear();
        var model = new TorchModuleModel(network);
        Tensor input = randn(1, 3, 16, 16);
        (Tensor features, Tensor weights) = Internals(network, input);
        long positions = features.shape[2] * features.shape[3];
        Tensor gradient = (weights[Class] / positions).reshape(-1, 1, 1);   // the same at every position
        var options = new CamOptions { Layer = "features" };

        // Element-wise: sum_k relu(g_k A_k), which differs from Grad-CAM wherever channels disagree in sign.
        Tensor products = gradient * features[0];
        Tensor elementWise = products.relu().sum([0]);
        float[] elementWiseMap = new GradCamElementWise(model, options).Explain(input, new ClassTarget(Class))
            .Single().RawMap!.Values;
        AssertClose(Values(elementWise), elementWiseMap, 1e-5);

        // EigenGrad-CAM: the products projected on their first right singular vector (positions as rows).
        Tensor rows = products.flatten(1).t();
        Tensor direction = linalg.svd(rows, fullMatrices: false).Vh[0];
        Tensor projection = rows.matmul(direction);
        if (projection.sum().item<float>() < 0) projection = projection.neg();
        Tensor eigenGrad = projection.reshape(features.shape[2], features.shape[3]).relu();
        float[] eigenGradMap = new EigenGradCam(model, options).Explain(input, new ClassTarget(Class))
            .Single().RawMap!.Values;
        AssertClose(Values(eigenGrad), eigenGradMap, 1e-4);
    }

    [Fact]
    public void GradCam_EigenSmooth_ProjectsTheWeightedMapsOnTheirFirstComponent()
    {
        // With a GAP+linear head the gradient is constant per channel, so Grad-CAM's weighted maps are exactly the
        // products EigenGrad-CAM projects: eigen-smoothed Grad-CAM equals EigenGrad-CAM, and differs from Grad-CAM.
        using DisposeScope scope = NewDisposeScope();
        var model = new TorchModuleModel(TestNetworks.GapLinear());
        Tensor input = randn(1, 3, 16, 16);
        var options = new CamOptions { Layer = "features" };
        float[] smoothed = new GradCam(model, options with { EigenSmooth = true }).Explain(input,
            new ClassTarget(Class)).Single().RawMap!.Values;
        float[] eigenGrad = new EigenGradCam(model, options).Explain(input, new ClassTarget(Class)).Single()
            .RawMap!.Values;
        float[] plain = new GradCam(model, options).Explain(input, new ClassTarget(Class)).Single().RawMap!.Values;
        AssertClose(eigenGrad, smoothed, 1e-5);
        Assert.Contains(plain.Zip(smoothed), p => Math.Abs(p.First - p.Second) > 1e-4);
    }

    [Fact]
    public void LayerFusion_OfOneLayer_IsThatLayer_AndOfTwoIsTheirNormalisedMean()
    {
        using DisposeScope scope = NewDisposeScope();
        var model = new TorchModuleModel(TestNetworks.GapLinear());
        Tensor input = randn(1, 3, 16, 16);
        IReadOnlyList<ITarget> target = [new ClassTarget(Class)];
        float[] Map(string layer) => new LayerCam(model, new CamOptions { Layer = layer })
            .Explain(input, new ClassTarget(Class)).Single().Heatmap.Values;

        MethodSet one = KnownMethods.CreateSet(["layercam"], model, layers: ["features.relu1"]);
        Explanation single = one.Explain(input, [target]).Single();
        AssertClose(Map("features.relu1"), single.Heatmap.Values, 1e-6);
        Assert.Equal("features.relu1", single.Layer);

        MethodSet two = KnownMethods.CreateSet(["layercam", "guided-backprop"], model,
            layers: ["features.relu1", "features.relu2"]);
        Assert.Equal(["layercam", "guided-backprop"], two.Outputs);
        Assert.Equal(3, two.Methods.Count);   // the layer-free method runs once
        IReadOnlyList<Explanation> fused = two.Explain(input, [target]);
        Assert.Equal(2, fused.Count);
        Assert.Equal("features.relu1+features.relu2", fused[0].Layer);
        float[] mean = Map("features.relu1").Zip(Map("features.relu2"), (a, b) => (a + b) / 2).ToArray();
        float max = mean.Max();
        AssertClose(mean.Select(v => v / max).ToArray(), fused[0].Heatmap.Values, 1e-5);
        Assert.Equal(GuidedBackprop.InputLayer, fused[1].Layer);
    }

    [Fact]
    public void LayerFusion_ScaledSum_IsLayerCamsSumOfTanhRescaledMaps()
    {
        using DisposeScope scope = NewDisposeScope();
        var model = new TorchModuleModel(TestNetworks.GapLinear());
        Tensor input = randn(1, 3, 16, 16);
        float[] Map(string layer) => new LayerCam(model, new CamOptions { Layer = layer })
            .Explain(input, new ClassTarget(Class)).Single().Heatmap.Values;

        Explanation fused = KnownMethods.CreateSet(["layercam"], model, new CamOptions(),
            new MethodSetOptions { LayerFusion = LayerFusion.ScaledSum }, ["features.relu1", "features.relu2"])
            .Explain(input, new ClassTarget(Class)).Single();

        // Each map is already scaled to a maximum of 1: tanh(2 M / max M) = tanh(2 M).
        float[] sum = Map("features.relu1").Zip(Map("features.relu2"), (a, b) => MathF.Tanh(2 * a) + MathF.Tanh(2 * b))
            .ToArray();
        float max = sum.Max();
        AssertClose(sum.Select(v => v / max).ToArray(), fused.Heatmap.Values, 1e-5);
    }

    [Fact]
    public void AugSmooth_HorizontallySymmetricInput_GivesSymmetricMaps()
    {
        using DisposeScope scope = NewDisposeScope();
        var model = new TorchModuleModel(TestNetworks.GapLinear());
        Tensor half = randn(1, 3, 16, 8);
        Tensor input = cat([half, half.flip(3)], 3);
        IReadOnlyList<IReadOnlyList<ITarget>> target = [[new ClassTarget(Class)]];
        static bool Symmetric(Maps.Heatmap map, float tolerance) =>
            Enumerable.Range(0, map.Height).All(y => Enumerable.Range(0, map.Width / 2)
                .All(x => Math.Abs(map[x, y] - map[map.Width - 1 - x, y]) <= tolerance));

        var options = new CamOptions { Layer = "features" };
        IReadOnlyList<Explanation> smoothed = KnownMethods.CreateSet(["gradcam", "guided-backprop"], model, options,
            new MethodSetOptions { AugSmooth = true }).Explain(input, target);
        Assert.Equal(2, smoothed.Count);
        Assert.All(smoothed, e => Assert.True(Symmetric(e.Heatmap, 1e-5f), $"{e.Method} is not symmetric"));
        Assert.Equal(Class, smoothed[0].ClassIndex);

        Explanation plain = KnownMethods.CreateSet(["gradcam"], model, options).Explain(input, target).Single();
        Assert.False(Symmetric(plain.Heatmap, 1e-3f), "the test network should not be symmetric by itself");
    }

    private sealed class RecordingGradCam(IExplainableModel model, CamOptions options) : CamMethod(model, options)
    {
        public Tensor? Gradients { get; private set; }

        protected override string MethodName => "recording";

        protected override Tensor Weights(CamContext context)
        {
            Gradients?.Dispose();
            Gradients = context.Gradients.detach().clone().DetachFromDisposeScope();
            return context.Gradients.mean([2, 3], keepdim: true);
        }
    }

    [Fact]
    public void GradCam_CapturedGradient_MatchesFiniteDifferences()
    {
        using DisposeScope scope = NewDisposeScope();
        Module<Tensor, Tensor> network = TestNetworks.NonLinearHead();
        var modules = network.named_modules().ToDictionary(m => m.name, m => (Module<Tensor, Tensor>)m.module);
        Tensor input = randn(1, 3, 6, 6, dtype: ScalarType.Float64);
        var recorder = new RecordingGradCam(new TorchModuleModel(network), new CamOptions { Layer = "features" });
        recorder.Explain(input, new ClassTarget(1));
        using Tensor gradients = recorder.Gradients!;

        using var noGrad = no_grad();
        Tensor activations = modules["features"].call(input);
        double Score(Tensor a) => modules["head"].call(a)[0, 1].item<double>();
        const double step = 1e-6;
        foreach ((long k, long i, long j) in new (long, long, long)[] { (0, 0, 0), (3, 2, 5), (5, 4, 1), (1, 3, 3) })
        {
            Tensor plus = activations.clone(); plus[0, k, i, j] += step;
            Tensor minus = activations.clone(); minus[0, k, i, j] -= step;
            double numeric = (Score(plus) - Score(minus)) / (2 * step);
            double analytic = gradients[0, k, i, j].item<double>();
            Assert.True(Math.Abs(numeric - analytic) <= 1e-7 + 1e-5 * Math.Abs(numeric),
                $"dA[{k},{i},{j}]: finite difference {numeric}, autograd {analytic}");
        }
    }

    [Fact]
    public void GuidedBackprop_TinyNetwork_MatchesHandComputation()
    {
        using DisposeScope scope = NewDisposeScope();
        var first = Linear(2, 3, hasBias: false);
        var second = Linear(3, 1, hasBias: false);
        using (no_grad())
        {
            first.weight!.copy_(tensor(new float[,] { { 1, 2 }, { -1, 1 }, { 3, -1 } }));
            second.weight!.copy_(tensor(new float[,] { { 1, 5, -1 } }));
        }
        var network = Sequential(("flatten", Flatten()), ("hidden", first), ("relu", ReLU()), ("out", second));
        Tensor input = tensor(new float[] { 1, 1 }).reshape(1, 1, 1, 2);

        // Pre-activations (3, 0, 2): units 0 and 2 are on. Gradients reaching the ReLU: (1, 5, -1).
        // Plain backprop keeps (1, 0, -1) -> dx = W1^T (1, 0, -1) = (-2, 3).
        // Guided backprop also drops the negative one: (1, 0, 0) -> dx = (1, 2).
        Explanation guided =
            new GuidedBackprop(new TorchModuleModel(network)).Explain(input, new ClassTarget(0)).Single();
        Assert.Equal(new float[] { 1, 2 }, guided.Attribution!.Values);
        Assert.Equal("input", guided.Layer);
        Assert.Equal(1f * 3 + 5 * 0 - 1 * 2, guided.Score);
    }

    [Fact]
    public void Counterfactual_TwoOpposingRegions_HighlightsTheRegionThatLowersTheScore()
    {
        using DisposeScope scope = NewDisposeScope();
        // Channel 0 lights up the left half and raises the score; channel 1 lights up the right half and lowers it.
        var fc = Linear(2, 1, hasBias: false);
        using (no_grad()) fc.weight!.copy_(tensor(new float[,] { { 1, -1 } }));
        var network =
            Sequential(("features", Identity()), ("pool", AdaptiveAvgPool2d(1)), ("flatten", Flatten()), ("fc", fc));
        Tensor input = zeros(1, 2, 4, 8);
        input[0, 0, .., ..4] = 1f;
        input[0, 1, .., 4..] = 1f;
        var model = new TorchModuleModel(network);
        var options = new CamOptions { Layer = "features" };

        Explanation factual = new GradCam(model, options).Explain(input, new ClassTarget(0)).Single();
        Explanation counterfactual =
            new GradCam(model, options with { Counterfactual = true }).Explain(input, new ClassTarget(0)).Single();

        Assert.Equal("counterfactual", counterfactual.Method);
        Assert.InRange(factual.RawMap!.Peak.X, 0, 3);
        Assert.InRange(counterfactual.RawMap!.Peak.X, 4, 7);
        Assert.All(Enumerable.Range(0, 4), x => Assert.Equal(0f, counterfactual.RawMap[x, 1]));
        Assert.All(Enumerable.Range(4, 4), x => Assert.Equal(0f, factual.RawMap[x, 1]));
    }

    [Fact]
    public void Batch_EachSampleWithItsOwnTargets_EqualsSingleImageRuns()
    {
        using DisposeScope scope = NewDisposeScope();
        var model = new TorchModuleModel(TestNetworks.GapLinear());
        var gradCam = new GradCam(model);
        Tensor batch = randn(3, 3, 16, 16);
        IReadOnlyList<ITarget>[] targets = [[new ClassTarget(0)], [new ClassTarget(4), new ClassTarget(1)], []];

        IReadOnlyList<Explanation> together = gradCam.Explain(batch, targets);

        Assert.Equal(4, together.Count);
        var alone = Enumerable.Range(0, 3).SelectMany(i => gradCam.Explain(batch[i..(i + 1)], [targets[i]])).ToList();
        Assert.Equal(alone.Select(e => e.ClassIndex), together.Select(e => e.ClassIndex));
        Assert.Equal(new[] { 0, 1, 1, 2 }, together.Select(e => e.SampleIndex));
        for (int k = 0; k < together.Count; k++)
        {
            AssertClose(alone[k].RawMap!.Values, together[k].RawMap!.Values, 1e-5);
            Assert.Equal(alone[k].Score, together[k].Score, 4);
        }
    }

    private sealed class CountingModel(IExplainableModel inner) : IExplainableModel
    {
        public int Forwards { get; private set; }
        public string Name => inner.Name;
        public IReadOnlyList<string> LayerNames => inner.LayerNames;
        public IDisposable BeginExplanation() => inner.BeginExplanation();
        public Tensor Forward(Tensor input, ForwardTaps taps)
        {
            Forwards++;
            return inner.Forward(input, taps);
        }

        public void Dispose() => inner.Dispose();
    }

    [Fact]
    public void TopK_FromOneForwardPass_EqualsSeparateClassRuns()
    {
        using DisposeScope scope = NewDisposeScope();
        var model = new CountingModel(new TorchModuleModel(TestNetworks.GapLinear()));
        var gradCam = new GradCam(model, new CamOptions { Layer = "features" });
        Tensor input = randn(1, 3, 16, 16);

        IReadOnlyList<Explanation> top3 = gradCam.Explain(input, new TopClassesTarget(3));

        Assert.Equal(1, model.Forwards);
        Assert.Equal(3, top3.Count);
        Assert.True(top3[0].Score >= top3[1].Score && top3[1].Score >= top3[2].Score);
        foreach (Explanation ranked in top3)
        {
            Explanation single = gradCam.Explain(input, new ClassTarget(ranked.ClassIndex!.Value)).Single();
            AssertClose(single.RawMap!.Values, ranked.RawMap!.Values, 1e-6);
        }
    }

    [Fact]
    public void AutoLayer_PicksTheLastSpatialFeatureMap()
    {
        using DisposeScope scope = NewDisposeScope();
        var gradCam = new GradCam(new TorchModuleModel(TestNetworks.GapLinear()));
        Explanation explanation = gradCam.Explain(randn(1, 3, 16, 16)).Single();
        Assert.Equal("features", explanation.Layer);
        Assert.Equal(8, explanation.RawMap!.Width);
    }

    [Fact]
    public void UnknownLayer_FailsWhenTheMethodIsMade_WithTheClosestValidNames()
    {
        using DisposeScope scope = NewDisposeScope();
        var model = new TorchModuleModel(TestNetworks.GapLinear());
        var error = Assert.Throws<UnknownLayerException>(() =>
            new GradCam(model, new CamOptions { Layer = "features.conv3" }));
        Assert.Contains("features.conv2", error.Message);
        Assert.Contains("features.conv1", error.Suggestions);
        // A library user is pointed at library members.
        Assert.Contains("LayerNames", error.Message);
        Assert.Throws<UnknownLayerException>(() => new HiResCam(model, new CamOptions { Layer = "nope" }));
    }

    [Fact]
    public void ClassTarget_OutOfRange_SaysHowManyClassesThereAre()
    {
        using DisposeScope scope = NewDisposeScope();
        var gradCam = new GradCam(new TorchModuleModel(TestNetworks.GapLinear(classes: 5)));
        var error = Assert.Throws<UsageException>(() => gradCam.Explain(randn(1, 3, 16, 16), new ClassTarget(5)));
        Assert.Contains("5 classes", error.Message);
    }

    [Theory]
    [InlineData("features", 1)]        // nothing but pooling and a linear layer after it: one pass
    [InlineData("features.conv2", 2)]  // relu2 follows: Guided Backprop needs a pass of its own
    public void PaperFour_FromOneSet_EqualSeparateRunsWithTheHandProduct(string layer, int expectedForwards)
    {
        using DisposeScope scope = NewDisposeScope();
        var counting = new CountingModel(new TorchModuleModel(TestNetworks.GapLinear()));
        var options = new CamOptions { Layer = layer };
        Tensor batch = randn(2, 3, 16, 16);
        ITarget[] targets = [new TopClassesTarget(2)];

        MethodSet paper = KnownMethods.CreateSet([KnownMethods.All], counting, options);
        IReadOnlyList<Explanation> together = paper.Explain(batch, targets);
        Assert.Equal(expectedForwards, counting.Forwards);

        IReadOnlyList<Explanation> gradCam = new GradCam(counting, options).Explain(batch, targets);
        IReadOnlyList<Explanation> guided = new GuidedBackprop(counting).Explain(batch, targets);
        IReadOnlyList<Explanation> counterfactual =
            new GradCam(counting, options with { Counterfactual = true }).Explain(batch, targets);
        Assert.Equal(16, together.Count);
        for (int i = 0; i < gradCam.Count; i++)
        {
            Explanation[] four = together.Skip(4 * i).Take(4).ToArray();
            Assert.Equal(["gradcam", "guided-backprop", "guided-gradcam", "counterfactual"],
                four.Select(e => e.Method));
            Assert.All(four, e => Assert.Equal(gradCam[i].ClassIndex, e.ClassIndex));
            AssertClose(gradCam[i].RawMap!.Values, four[0].RawMap!.Values, 1e-5);
            AssertClose(guided[i].Attribution!.Values, four[1].Attribution!.Values, 1e-5);
            int plane = 16 * 16;
            float[] product =
                guided[i].Attribution!.Values.Select((v, k) => v * gradCam[i].Heatmap.Values[k % plane]).ToArray();
            AssertClose(product, four[2].Attribution!.Values, 1e-5);
            AssertClose(counterfactual[i].RawMap!.Values, four[3].RawMap!.Values, 1e-5);
        }
    }

    [Fact]
    public void GuidedGradCam_WithAnyCam_KeepsItsOptionsAndSaysWhatItCombines()
    {
        using DisposeScope scope = NewDisposeScope();
        var model = new TorchModuleModel(TestNetworks.GapLinear());
        Tensor input = randn(1, 3, 16, 16);
        var options = new CamOptions { Layer = "features.relu1" };

        Explanation guidedScoreCam =
            new GuidedGradCam(new ScoreCam(model, options)).Explain(input, new ClassTarget(1)).Single();
        Explanation scoreCam = new ScoreCam(model, options).Explain(input, new ClassTarget(1)).Single();

        Assert.Equal("guided-scorecam", guidedScoreCam.Method);
        Assert.Equal("features.relu1", guidedScoreCam.Layer);
        AssertClose(scoreCam.RawMap!.Values, guidedScoreCam.RawMap!.Values, 1e-5);
        Assert.Equal("guided-scorecam", KnownMethods.Get("guided-scorecam").Name);
        Assert.Throws<UsageException>(() => KnownMethods.Get("guided-guided-backprop"));
    }

    [Fact]
    public void EigenCam_RankOneActivations_RecoversTheSpatialFactor()
    {
        using DisposeScope scope = NewDisposeScope();
        // A_k(i, j) = v_k u(i, j): the first principal direction is v, and the projection is |v| u.
        Tensor v = tensor(new float[] { 0.6f, -0.8f, 0f });
        Tensor u = rand(4, 4);
        Tensor activations = (v.reshape(3, 1, 1) * u).unsqueeze(0);
        var model = new TorchModuleModel(Sequential(("features", Identity()), ("pool", AdaptiveAvgPool2d(1)),
            ("flatten", Flatten())));

        Explanation explanation = new EigenCam(model, new CamOptions { Layer = "features" }).Explain(activations,
            new ClassTarget(0)).Single();

        AssertClose(Values(u), explanation.RawMap!.Values, 1e-5);
        Assert.Equal("eigencam", explanation.Method);
    }

    [Fact]
    public void ScoreCam_TwoHalves_WeighsEachMapBySoftmaxOfItsMaskedScore()
    {
        using DisposeScope scope = NewDisposeScope();
        // Channel 0 covers the left half and alone feeds class 0; channel 1 covers the right half.
        var fc = Linear(2, 1, hasBias: false);
        using (no_grad()) fc.weight!.copy_(tensor(new float[,] { { 1, 0 } }));
        var model = new TorchModuleModel(Sequential(("features", Identity()), ("pool", AdaptiveAvgPool2d(1)),
            ("flatten", Flatten()), ("fc", fc)));
        Tensor input = zeros(1, 2, 4, 8);
        input[0, 0, .., ..4] = 1f;
        input[0, 1, .., 4..] = 1f;

        Explanation explanation =
            new ScoreCam(model, new CamOptions { Layer = "features" }).Explain(input, new ClassTarget(0)).Single();

        // Masked by map 0 the score is mean(channel 0) = 0.5; masked by map 1 it is 0. Weights: softmax(0.5, 0).
        double left = Math.Exp(0.5) / (Math.Exp(0.5) + 1), right = 1 / (Math.Exp(0.5) + 1);
        Assert.Equal((float)left, explanation.RawMap![1, 2], 5);
        Assert.Equal((float)right, explanation.RawMap[6, 2], 5);
        Assert.Equal("scorecam", explanation.Method);
        Assert.Throws<UsageException>(() =>
            new ScoreCam(model, new CamOptions { Layer = "features" }).Explain(input,
                new DelegateTarget("sum", o => o.sum(1))));
    }
}
