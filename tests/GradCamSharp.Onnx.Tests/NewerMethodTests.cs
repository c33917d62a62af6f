using System.Text.Json;
using GradCamSharp.Methods;
using GradCamSharp.Models;
using GradCamSharp.Targets;
using TorchSharp;
using static TorchSharp.torch;

namespace GradCamSharp.Onnx.Tests;

/// <summary>
/// The methods pytorch-grad-cam added since we matched it, each against a closed form, a hand computation, finite
/// differences or scikit-learn: FullGrad's completeness, ShapleyCAM's Hessian-vector product, Finer-CAM's contrast,
/// FEM's k-sigma rule, Seg-Eigen-CAM's sign, KPCA-CAM's kernel projection, RandomCAM's seeding, RefineCAM's product.
/// </summary>
public sealed class NewerMethodTests
{
    private const int Classes = 5;
    private const string Features = "features";

    private static float[] Numbers(int count, int seed, double scale = 0.5)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(_ => (float)((random.NextDouble() * 2 - 1) * scale)).ToArray();
    }

    /// <summary>
    /// conv (bias) -> batch norm -> ReLU -> max pool -> conv (bias) -> ReLU = "features" -> head: global average pool
    /// and a linear layer with a bias (<paramref name="curvedHead"/>: a 1x1 conv and a tanh first). Piecewise linear
    /// in its input and biases unless the head is curved.
    /// </summary>
    private static OnnxExplainableModel Network(bool curvedHead = false)
    {
        OnnxGraphBuilder graph = new OnnxGraphBuilder(curvedHead ? "curved" : "piecewise")
            .Input("input", -1, 3, 16, 16)
            .Output("logits", -1, Classes)
            .Initializer("w1", [6, 3, 3, 3], Numbers(162, 1))
            .Initializer("b1", [6], Numbers(6, 2, 0.2))
            .Initializer("gamma", [6], Numbers(6, 3, 0.5).Select(v => v + 1).ToArray())
            .Initializer("beta", [6], Numbers(6, 4, 0.3))
            .Initializer("mean", [6], Numbers(6, 5, 0.2))
            .Initializer("var", [6], Numbers(6, 6, 0.4).Select(v => v + 0.6f).ToArray())
            .Initializer("w2", [8, 6, 3, 3], Numbers(432, 7, 0.3))
            .Initializer("b2", [8], Numbers(8, 8, 0.2))
            .Initializer("mix", [8, 8, 1, 1], Numbers(64, 9, 0.8))
            .Initializer("fc", [Classes, 8], Numbers(Classes * 8, 10, 1.0))
            .Initializer("fcb", [Classes], Numbers(Classes, 11, 0.5))
            .Node("Conv", "conv1", ["input", "w1", "b1"], ["c1"], ("pads", new long[] { 1, 1, 1, 1 }))
            .Node("BatchNormalization", "bn", ["c1", "gamma", "beta", "mean", "var"], ["n1"], ("epsilon", 1e-5f))
            .Node("Relu", "relu1", ["n1"], ["r1"])
            .Node("MaxPool", "pool1", ["r1"], ["p1"], ("kernel_shape", new long[] { 2, 2 }),
                ("strides", new long[] { 2, 2 }))
            .Node("Conv", "conv2", ["p1", "w2", "b2"], ["c2"], ("pads", new long[] { 1, 1, 1, 1 }))
            .Node("Relu", "relu2", ["c2"], [Features]);
        string pooledFrom = Features;
        if (curvedHead)
        {
            graph = graph.Node("Conv", "mix", [Features, "mix"], ["mixed"])
                .Node("Tanh", "tanh", ["mixed"], ["curved"]);
            pooledFrom = "curved";
        }
        return new OnnxExplainableModel(graph
            .Node("GlobalAveragePool", "gap", [pooledFrom], ["pooled"])
            .Node("Flatten", "flatten", ["pooled"], ["flat"])
            .Node("Gemm", "fc", ["flat", "fc", "fcb"], ["logits"], ("transB", 1L))
            .Load());
    }

    /// <summary>The model's output and the named layer's output for <paramref name="input"/>.</summary>
    private static (Tensor Output, Tensor Layer) Run(OnnxExplainableModel model, Tensor input,
        string layer = Features)
    {
        using var noGrad = no_grad();
        Tensor? captured = null;
        Tensor output = model.Forward(input, new ForwardTaps
        {
            ObserveEveryLayer = (name, value) =>
            {
                if (name == layer) captured = value.clone();
            },
        });
        return (output, captured!);
    }

    private static float[] Values(Tensor t) => t.contiguous().to(ScalarType.Float32).data<float>().ToArray();

    private static float[] Raw(Explainer method, Tensor input, int classIndex) =>
        method.Explain(input, new ClassTarget(classIndex)).Single().RawMap!.Values;

    /// <summary>relu(sum_k w_k A_k) for [K] weights and [1, K, h, w] activations.</summary>
    private static float[] Cam(Tensor weights, Tensor activations) =>
        Values((weights.reshape(1, -1, 1, 1) * activations).sum(1)[0].relu());

    [Fact]
    public void FullGrad_PiecewiseLinearNetwork_DecompositionAddsUpToTheScore()
    {
        using OnnxExplainableModel model = Network();
        using DisposeScope scope = NewDisposeScope();
        manual_seed(21);
        Tensor input = randn(2, 3, 16, 16);
        (Tensor logits, _) = Run(model, input);

        // Conv, BatchNormalization (its effective bias beta - mean gamma / sigma), Conv, Gemm.
        IReadOnlyList<LayerBias> biases = model.LayerBiases();
        Assert.Equal(["c1", "n1", "c2", "logits"], biases.Select(b => b.Layer).ToArray());
        float[] gamma = Numbers(6, 3, 0.5).Select(v => v + 1).ToArray(), beta = Numbers(6, 4, 0.3);
        float[] mean = Numbers(6, 5, 0.2), variance = Numbers(6, 6, 0.4).Select(v => v + 0.6f).ToArray();
        float[] effective = [.. Enumerable.Range(0, 6).Select(c =>
            beta[c] - mean[c] * gamma[c] / MathF.Sqrt(variance[c] + 1e-5f))];
        Tolerance.AssertClose(effective, Values(biases[1].Bias), 1e-6);

        for (int c = 0; c < Classes; c++)
        {
            FullGradients parts = FullGrad.Decompose(model, input, c);
            Assert.Equal(4, parts.Layers.Count);
            Tolerance.AssertClose(Values(logits[.., c]), Values(parts.Total()), 1e-5, $"class {c}");
        }
    }

    [SkippableFact]
    public void FullGrad_TorchvisionResNet18_DecompositionAddsUpToTheScore()
    {
        // A real architecture, not ours: conv, batch norm, ReLU, max pool, residual additions, pooling, linear.
        using var model = new OnnxExplainableModel(OnnxModule.Load(
            SharedFixtures.RequireGunzipped("fixtures/onnx/resnet18.onnx.gz")));
        using DisposeScope scope = NewDisposeScope();
        manual_seed(4);
        Tensor input = randn(1, 3, 224, 224);
        using (no_grad())
        {
            Tensor logits = model.Forward(input, ForwardTaps.None);
            int top = (int)logits.argmax(1).item<long>();
            FullGradients parts = FullGrad.Decompose(model, input, top);
            Assert.True(parts.Layers.Count >= 20, $"{parts.Layers.Count} layers with a bias");
            double score = logits[0, top].item<float>(), total = parts.Total().item<float>();
            Assert.True(Math.Abs(score - total) <= 1e-3 * Math.Max(1, Math.Abs(score)), $"{total} against {score}");
        }
        Explanation map = new FullGrad(model).Explain(input, new TopClassesTarget(1)).Single();
        Assert.Equal(224, map.Heatmap.Width);
        Assert.InRange(map.Heatmap.Max, 1f - 1e-5f, 1f);
    }

    [Fact]
    public void ShapleyCam_LinearTail_EqualsGradCam()
    {
        using OnnxExplainableModel model = Network();
        using DisposeScope scope = NewDisposeScope();
        manual_seed(22);
        Tensor input = randn(2, 3, 16, 16);
        var options = new CamOptions { Layer = Features };
        for (int c = 0; c < Classes; c++)
        {
            float[] gradCam = [.. new GradCam(model, options).Explain(input, new ClassTarget(c))
                .SelectMany(e => e.RawMap!.Values)];
            float[] shapley = [.. new ShapleyCam(model, options).Explain(input, new ClassTarget(c))
                .SelectMany(e => e.RawMap!.Values)];
            Tolerance.AssertClose(gradCam, shapley, 1e-5, $"class {c}");
        }
    }

    [Fact]
    public void ShapleyCam_CurvedTail_HessianVectorProductMatchesFiniteDifferences()
    {
        using OnnxExplainableModel model = Network(curvedHead: true);
        using DisposeScope scope = NewDisposeScope();
        manual_seed(23);
        Tensor input = randn(1, 3, 16, 16);
        const int Class = 3;
        ModelTail tail = ModelTail.Split(model, input, Features);
        Tensor activations = tail.LayerOutput.detach().to(ScalarType.Float64);

        Tensor GradientAt(Tensor a)
        {
            using IDisposable grad = enable_grad();
            Tensor leaf = a.to(ScalarType.Float32).detach().requires_grad_(true);
            Tensor score = tail.Run(leaf)[0, Class];
            return autograd.grad([score], [leaf])[0].to(ScalarType.Float64);
        }

        // H A by central differences of the gradient along A itself.
        const double Step = 1e-2;
        Tensor hessianTimesA = (GradientAt(activations * (1 + Step)) - GradientAt(activations * (1 - Step)))
            / (2 * Step);
        Tensor gradient = GradientAt(activations);
        Assert.True(hessianTimesA.abs().max().item<double>() > 1e-3 * gradient.abs().max().item<double>(),
            "the tanh head should curve the score");
        Tensor weights = (gradient - 0.5 * hessianTimesA).mean([2, 3]);

        float[] expected = Cam(weights[0], activations);
        float[] shapley = Raw(new ShapleyCam(model, new CamOptions { Layer = Features }), input, Class);
        Tolerance.AssertClose(expected, shapley, 2e-3);
        float[] gradCam = Raw(new GradCam(model, new CamOptions { Layer = Features }), input, Class);
        Assert.True(Tolerance.RelativeError(gradCam, shapley) > 1e-3, "the second-order term changes the map");
    }

    [Fact]
    public void FinerCam_ZeroAlpha_EqualsGradCam()
    {
        using OnnxExplainableModel model = Network(curvedHead: true);
        using DisposeScope scope = NewDisposeScope();
        manual_seed(24);
        Tensor input = randn(2, 3, 16, 16);
        var options = new CamOptions { Layer = Features };
        for (int c = 0; c < Classes; c++)
        {
            float[] gradCam = [.. new GradCam(model, options).Explain(input, new ClassTarget(c))
                .SelectMany(e => e.RawMap!.Values)];
            float[] finer = [.. new FinerCam(model, options, alpha: 0).Explain(input, new ClassTarget(c))
                .SelectMany(e => e.RawMap!.Values)];
            Tolerance.AssertClose(gradCam, finer, 1e-5, $"class {c}");
        }
    }

    [Fact]
    public void FinerCam_GapLinearHead_WeighsTheClassAgainstItsNearestClasses()
    {
        using OnnxExplainableModel model = Network();
        using DisposeScope scope = NewDisposeScope();
        manual_seed(25);
        Tensor input = randn(1, 3, 16, 16);
        (Tensor logits, Tensor features) = Run(model, input);
        float[] scores = Values(logits[0]);
        Tensor fc = tensor(Numbers(Classes * 8, 10, 1.0)).reshape(Classes, 8);
        long positions = features.shape[2] * features.shape[3];
        for (int c = 0; c < Classes; c++)
        {
            // Hand computation: the 3 classes whose logits lie nearest y_c, their softmax probabilities scaled to sum
            // to one; the gradient of y_c - sum_j w_j y_j at the pooled features is W_c - sum_j w_j W_j, over h w.
            int[] nearest = [.. Enumerable.Range(0, Classes).Where(j => j != c)
                .OrderBy(j => Math.Abs(scores[j] - scores[c])).Take(3)];
            double[] exp = [.. nearest.Select(j => Math.Exp(scores[j]))];
            Tensor weights = fc[c].clone();
            for (int i = 0; i < nearest.Length; i++) weights -= fc[nearest[i]] * (float)(exp[i] / exp.Sum());
            float[] expected = Cam(weights / positions, features);
            Tolerance.AssertClose(expected, Raw(new FinerCam(model, new CamOptions { Layer = Features }), input, c),
                1e-4, $"class {c}");
        }
    }

    [Fact]
    public void Fem_MatchesTheKSigmaRuleByHand()
    {
        using OnnxExplainableModel model = Network();
        using DisposeScope scope = NewDisposeScope();
        manual_seed(26);
        Tensor input = randn(1, 3, 16, 16);
        (_, Tensor features) = Run(model, input);
        float[] a = Values(features);
        int channels = (int)features.shape[1], positions = (int)(features.shape[2] * features.shape[3]);
        var weights = new float[channels];
        for (int k = 0; k < channels; k++)
        {
            float[] map = a[(k * positions)..((k + 1) * positions)];
            double mean = map.Average();
            double deviation = Math.Sqrt(map.Sum(v => (v - mean) * (v - mean)) / positions);
            weights[k] = (float)map.Count(v => v > mean + 2 * deviation) / positions;
        }
        Assert.Contains(weights, w => w > 0);
        float[] expected = Cam(tensor(weights), features);
        // Class-agnostic: every class gives the same map.
        Tolerance.AssertClose(expected, Raw(new Fem(model, new CamOptions { Layer = Features }), input, 0), 1e-5);
        Tolerance.AssertClose(expected, Raw(new Fem(model, new CamOptions { Layer = Features }), input, 4), 1e-5);
    }

    [Fact]
    public void SegEigenCam_IsTheCentredProductsLeadingEigenvectorProjection_WithItsLargestMagnitudePositive()
    {
        using OnnxExplainableModel model = Network(curvedHead: true);
        using DisposeScope scope = NewDisposeScope();
        manual_seed(27);
        Tensor input = randn(1, 3, 16, 16);
        const int Class = 1;
        ModelTail tail = ModelTail.Split(model, input, Features);
        Tensor gradient;
        using (enable_grad())
        {
            Tensor leaf = tail.LayerOutput.detach().requires_grad_(true);
            gradient = autograd.grad([tail.Run(leaf)[0, Class]], [leaf])[0];
        }
        // Another route than the method's SVD: the leading eigenvector of the channels' covariance matrix.
        Tensor products = (gradient.abs() * tail.LayerOutput)[0].to(ScalarType.Float64);
        Tensor rows = products.flatten(1).t();
        Tensor centred = rows - rows.mean([0], keepdim: true);
        (_, Tensor vectors) = linalg.eigh(centred.t().matmul(centred));
        Tensor projection = centred.matmul(vectors[.., -1]);
        if (projection.min().abs().item<double>() > projection.max().abs().item<double>()) projection = -projection;
        float[] expected = Values(projection.relu());
        Tolerance.AssertClose(expected, Raw(new SegEigenCam(model, new CamOptions { Layer = Features }), input,
            Class), 1e-4);
    }

    /// <summary>Identity "features": the layer's activations are the input itself, so they can be set freely.</summary>
    private static OnnxExplainableModel IdentityFeatures(int channels) => new(new OnnxGraphBuilder("identity")
        .Input("input", -1, channels, -1, -1)
        .Output("logits", -1, 2)
        .Initializer("fc", [2, channels], Numbers(2 * channels, 12))
        .Node("Identity", "features", ["input"], [Features])
        .Node("GlobalAveragePool", "gap", [Features], ["pooled"])
        .Node("Flatten", "flatten", ["pooled"], ["flat"])
        .Node("Gemm", "fc", ["flat", "fc"], ["logits"], ("transB", 1L))
        .Load());

    private static string MethodFixture(string name) =>
        Path.Combine(SharedFixtures.RepositoryRoot, "tests", "GradCamSharp.Onnx.Tests", "methods", name);

    [Fact]
    public void KpcaCam_EqualsScikitLearnsKernelPca()
    {
        // methods/make_kpca.py: scikit-learn 1.2's KernelPCA(n_components=1, kernel="sigmoid"), as pytorch-grad-cam.
        using JsonDocument cases = JsonDocument.Parse(File.ReadAllText(MethodFixture("kpca_sklearn.json")));
        foreach (JsonElement item in cases.RootElement.EnumerateArray())
        {
            long[] shape = [.. item.GetProperty("shape").EnumerateArray().Select(v => v.GetInt64())];
            using OnnxExplainableModel model = IdentityFeatures((int)shape[0]);
            using DisposeScope scope = NewDisposeScope();
            Tensor input = tensor(item.GetProperty("activations").EnumerateArray().Select(v => (float)v.GetDouble())
                .ToArray()).reshape([1, .. shape]);
            float[] expected = [.. item.GetProperty("projection").EnumerateArray()
                .Select(v => (float)Math.Max(0, v.GetDouble()))];
            Tolerance.AssertClose(expected, Raw(new KpcaCam(model, new CamOptions { Layer = Features }), input, 0),
                1e-4, $"[{string.Join(", ", shape)}]");
        }
    }

    [Fact]
    public void KpcaCam_LinearKernel_EqualsCentredPca()
    {
        using OnnxExplainableModel model = IdentityFeatures(6);
        using DisposeScope scope = NewDisposeScope();
        manual_seed(28);
        Tensor input = randn(1, 6, 5, 7);
        Tensor rows = input[0].flatten(1).t().to(ScalarType.Float64);
        Tensor centred = rows - rows.mean([0], keepdim: true);
        Tensor projection = centred.matmul(linalg.svd(centred, fullMatrices: false).Vh[0]);
        // scikit-learn's sign: the coordinate of largest magnitude positive.
        if (projection[projection.abs().argmax()].item<double>() < 0) projection = -projection;
        Tolerance.AssertClose(Values(projection.relu()), Raw(new KpcaCam(model, new CamOptions { Layer = Features },
            KernelPcaKernel.Linear), input, 0), 1e-4);
    }

    [Fact]
    public void RandomCam_IsSeeded_WeighsUniformlyInPlusMinusOne_AndIgnoresTheClass()
    {
        // One-hot activations: channel k is 1 at position k only, so the raw map at k reads relu(w_k) directly.
        const int Channels = 64;
        using OnnxExplainableModel model = IdentityFeatures(Channels);
        using DisposeScope scope = NewDisposeScope();
        Tensor input = eye(Channels).reshape(1, Channels, 8, 8);
        var options = new CamOptions { Layer = Features };
        float[] first = Raw(new RandomCam(model, options), input, 0);
        Assert.Equal(first, Raw(new RandomCam(model, options), input, 1));
        Assert.NotEqual(first, Raw(new RandomCam(model, options, seed: 1), input, 0));
        Assert.All(first, v => Assert.InRange(v, 0f, 1f));
        // About half the weights are negative (clipped to 0 by the ReLU); the rest spread over (0, 1).
        Assert.InRange(first.Count(v => v == 0), 16, 48);
        Assert.True(first.Max() > 0.5f && first.Where(v => v > 0).Min() < 0.5f);
    }

    [Fact]
    public void RefineCam_IsTheScaledProductOfGradCamPlusPlusMaps()
    {
        using OnnxExplainableModel model = Network();
        using DisposeScope scope = NewDisposeScope();
        manual_seed(29);
        Tensor input = randn(1, 3, 16, 16);
        float[] Heat(Explainer method) => method.Explain(input, new ClassTarget(2)).Single().Heatmap.Values;

        var one = new CamOptions { Layer = Features, Layers = [Features] };
        Tolerance.AssertClose(Heat(new GradCamPlusPlus(model, one)), Heat(new RefineCam(model, one)), 1e-6);

        float[] deep = Heat(new GradCamPlusPlus(model, new CamOptions { Layer = Features }));
        float[] shallow = Heat(new GradCamPlusPlus(model, new CamOptions { Layer = "r1" }));
        float[] product = [.. deep.Zip(shallow, (a, b) => a * b)];
        float[] expected = [.. product.Select(v => v / product.Max())];
        var two = new CamOptions { Layers = [Features, "r1"] };
        Explanation refined = new RefineCam(model, two).Explain(input, new ClassTarget(2)).Single();
        Tolerance.AssertClose(expected, refined.Heatmap.Values, 1e-5);
        Assert.Equal($"{Features}+r1", refined.Layer);
    }

    [SkippableFact]
    public void RefineCam_ChoosesLayersOfGrowingResolution()
    {
        using var model = new OnnxExplainableModel(OnnxModule.Load(
            SharedFixtures.RequireGunzipped("fixtures/onnx/resnet18.onnx.gz")));
        using DisposeScope scope = NewDisposeScope();
        Tensor input = randn(1, 3, 224, 224);
        IReadOnlyList<string> layers = new RefineCam(model).LayersFor(input);
        Assert.Equal(RefineCam.AutomaticLayers, layers.Count);
        Assert.Equal(ModelLayers.Resolve(model, ModelLayers.Auto, input), layers[0]);
        Dictionary<string, long[]> shapes = ModelLayers.Describe(model, input).ToDictionary(l => l.Name, l => l.Shape);
        long[] cells = [.. layers.Select(l => shapes[l][2] * shapes[l][3])];
        Assert.Equal([49L, 196, 784], cells);
    }

    [Fact]
    public void TheNewMethods_AreRegisteredUnderTheirNames_WithTheirPapers()
    {
        foreach (string name in new[] { "fullgrad", "kpcacam", "fem", "shapleycam", "finercam", "segeigencam",
            "refinecam", "randomcam" })
        {
            MethodDescriptor method = KnownMethods.Get(name);
            Assert.Equal(name, method.Name);
            Assert.False(string.IsNullOrWhiteSpace(method.Paper));
        }
    }
}
