using GradCamSharp.Methods;
using GradCamSharp.Models;
using GradCamSharp.Targets;
using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace GradCamSharp.Tests;

/// <summary>
/// The gradient-free methods against their definitions: Ablation-CAM's weights are measured score drops, Score-CAM
/// finds the one channel that carries a class, and the shared batching reports progress and stops when asked.
/// </summary>
public sealed class PerturbationMethodTests
{
    private const int Class = 2;

    private static float[] Values(Tensor t) => t.contiguous().to(ScalarType.Float32).data<float>().ToArray();

    /// <summary>
    /// The class score with the layer's output changed by <paramref name="change"/>, by a whole pass.
    /// </summary>
    private static double Score(TorchModuleModel model, Tensor input, string layer, Func<Tensor, Tensor> change)
    {
        using var noGrad = no_grad();
        var taps = new ForwardTaps { Layer = layer, ReplaceLayerOutput = change };
        return model.Forward(input, taps)[0, Class].item<float>();
    }

    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    public void AblationCam_WeightOfAChannel_IsTheMeasuredScoreDrop(int batchSize)
    {
        using DisposeScope scope = NewDisposeScope();
        var model = new TorchModuleModel(TestNetworks.GapLinear());
        Tensor input = randn(1, 3, 16, 16);
        const string layer = "features";
        Tensor? activations = null;
        double score = Score(model, input, layer, a =>
        {
            activations = a.clone();
            return a;
        });
        long channels = activations!.shape[1];
        // The definition, one whole forward pass per channel: w_k = (y - y_k) / |y|.
        Tensor weights = tensor(Enumerable.Range(0, (int)channels).Select(k =>
            (float)((score - Score(model, input, layer, a => AblationCam.Ablate(a, k, 1))) / Math.Abs(score)))
            .ToArray());
        Tensor expected = (weights.reshape(-1, 1, 1) * activations[0]).sum(dim: 0).relu();
        Assert.Equal([channels, 8, 8], [weights.shape[0], .. expected.shape]);

        Explanation explanation = new AblationCam(model, new CamOptions { Layer = layer })
            .Explain(input, [[new ClassTarget(Class)]], new RunOptions { BatchSize = batchSize }).Single();

        Tolerance.AssertClose(Values(expected), explanation.RawMap!.Values, 1e-4);
        Assert.Equal("ablationcam", explanation.Method);
    }

    [Fact]
    public void ScoreCam_OneChannelCarriesTheClass_GivesThatChannelsMap()
    {
        using DisposeScope scope = NewDisposeScope();
        // The layer is the rectified input; the class reads channel 0 only, strongly enough that the softmax over the
        // masked scores is one-hot on the mask that keeps channel 0 best: channel 0's own map.
        var network = Sequential(("relu", ReLU()), ("pool", AdaptiveAvgPool2d(1)), ("flatten", Flatten()),
            ("fc", Linear(3, 3)));
        using (no_grad())
        {
            var fc = (TorchSharp.Modules.Linear)network.named_modules().Single(m => m.name == "fc").module;
            fc.weight!.zero_();
            fc.bias!.zero_();
            fc.weight![Class, 0] = tensor(1000f);
        }
        Tensor grid = arange(16, dtype: ScalarType.Float32);
        Tensor Blob(float x, float y) =>
            (-((grid.reshape(1, -1) - x).pow(2) + (grid.reshape(-1, 1) - y).pow(2)) / 8).exp();
        Tensor input = stack([Blob(4, 5), Blob(12, 11), zeros(16, 16)]).unsqueeze(0);

        Explanation explanation = new ScoreCam(new TorchModuleModel(network), new CamOptions { Layer = "relu" })
            .Explain(input, new ClassTarget(Class)).Single();

        Tolerance.AssertClose(Values(input[0, 0]), explanation.RawMap!.Values, 1e-3);
    }

    [Theory]
    [InlineData("scorecam")]
    [InlineData("ablationcam")]
    [InlineData("occlusion")]
    public void SeveralTargetsOfASample_ShareOneRoundOfPerturbedPasses_AndGetTheMapsOfSeparateCalls(string name)
    {
        using DisposeScope scope = NewDisposeScope();
        var model = new TorchModuleModel(TestNetworks.GapLinear());
        Tensor input = randn(2, 3, 16, 16);
        var options = new CamOptions { Layer = "features" };
        // Sample 0 asks three classes, sample 1 one.
        ITarget[][] targets = [[new ClassTarget(0), new ClassTarget(2), new ClassTarget(1)], [new ClassTarget(2)]];
        var reports = new List<MethodProgress>();
        IReadOnlyList<Explanation> together = KnownMethods.Create(name, model, options).Explain(input, targets,
            new RunOptions { BatchSize = 3, Progress = new Recorder(reports) });

        // One round of perturbed passes per sample, whatever the number of its targets.
        Assert.Equal(2, reports.Count(r => r.Done == r.Total));
        Assert.Equal(4, together.Count);
        for (int sample = 0, k = 0; sample < 2; sample++)
        {
            foreach (ITarget target in targets[sample])
            {
                Explanation alone = KnownMethods.Create(name, model, options)
                    .Explain(input.narrow(0, sample, 1), target).Single();
                Tolerance.AssertClose(alone.RawMap!.Values, together[k].RawMap!.Values, 1e-5, $"{name} {k}");
                Assert.Equal(alone.ClassIndex, together[k++].ClassIndex);
            }
        }
    }

    [Fact]
    public void PerturbationMethods_AreExactlyThoseThatReportProgressPerBatch_AndStopWhenCancelled()
    {
        using DisposeScope scope = NewDisposeScope();
        var model = new TorchModuleModel(TestNetworks.GapLinear());
        Tensor input = randn(1, 3, 16, 16);
        // The registry's flag, held to what each method does: every other method scores the input itself, no copies.
        foreach (MethodDescriptor method in KnownMethods.Registered.Where(m => !m.PerturbsInputs
            && m.Obstacle(model) is null))
        {
            var reports = new List<MethodProgress>();
            method.Create(model, new CamOptions { Layer = "features" })
                .Explain(input, [[new ClassTarget(Class)]], new RunOptions { Progress = new Recorder(reports) });
            long scored = reports.Select(r => r.Total).DefaultIfEmpty().Max();
            Assert.True(scored <= 1, $"{method.Name} scored {scored} inputs");
        }
        Assert.Equal(["smoothgrad", "integrated-gradients", "occlusion", "scorecam", "ablationcam"],
            KnownMethods.Perturbing);
        foreach (string name in KnownMethods.Perturbing)
        {
            var reports = new List<MethodProgress>();
            var options = new CamOptions { Layer = "features" };
            var run = new RunOptions { BatchSize = 4, Progress = new Recorder(reports) };
            KnownMethods.Create(name, model, options).Explain(input, [[new ClassTarget(Class)]], run);
            Assert.True(reports.Count >= 2, $"{name}: {reports.Count} reports");
            Assert.All(reports, r => Assert.Equal(name, r.Method));
            Assert.Equal(reports[^1].Total, reports[^1].Done);
            Assert.True(reports.Zip(reports.Skip(1)).All(p => p.Second.Done - p.First.Done <= 4), name);

            using var cancelled = new CancellationTokenSource();
            cancelled.Cancel();
            Assert.Throws<OperationCanceledException>(() => KnownMethods.Create(name, model, options)
                .Explain(input, cancelled.Token, progress: null, new ClassTarget(Class)));
        }
        // The same parameters on the classes themselves (no extension, so no extra using): a method and a set.
        var own = new List<MethodProgress>();
        new ScoreCam(model, new CamOptions { Layer = "features" })
            .Explain(input, CancellationToken.None, new Recorder(own), new ClassTarget(Class));
        Assert.Equal(own[^1].Total, own[^1].Done);
        using var stopped = new CancellationTokenSource();
        stopped.Cancel();
        MethodSet set =
            KnownMethods.CreateSet(["gradcam", "ablationcam"], model, new CamOptions { Layer = "features" });
        Assert.Throws<OperationCanceledException>(() =>
            set.Explain(input, stopped.Token, new Recorder(own), new ClassTarget(Class)));
    }

    [Theory]
    [InlineData(3 * 224 * 224, 16)]
    [InlineData(3 * 448 * 448, 4)]
    [InlineData(3 * 16 * 16, 64)]
    [InlineData(3 * 4000 * 4000, 1)]
    public void DefaultBatch_ShrinksWithTheInput(long values, int expected) =>
        Assert.Equal(expected, PerturbationBatches.DefaultSize(values));

    [Fact]
    public void DefaultBatch_FitsTheMemoryBudget()
    {
        using DisposeScope scope = NewDisposeScope();
        using var model = new TorchModuleModel(TestNetworks.GapLinear());
        Tensor input = randn(1, 3, 32, 32);
        // The largest layer output is conv1's, 8 x 32 x 32 values: three of them in float32 take 98,304 bytes.
        Assert.Equal(8 * 32 * 32, ModelLayers.LargestLayerValues(model, input));
        Assert.Equal((1 << 20) / 98_304, PerturbationBatches.SizeFor(
            new RunOptions { PerturbationMemoryMegabytes = 1 }, input, model));
        Assert.Equal(PerturbationBatches.DefaultSize(3 * 32 * 32),
            PerturbationBatches.SizeFor(new RunOptions(), input, model));
        Assert.Equal(5, PerturbationBatches.SizeFor(
            new RunOptions { PerturbationMemoryMegabytes = 1, BatchSize = 5 }, input, model));

        var reports = new List<MethodProgress>();
        new ScoreCam(model, new CamOptions { Layer = "features" }).Explain(input, [[new ClassTarget(Class)]],
            new RunOptions { PerturbationMemoryMegabytes = 1, Progress = new Recorder(reports) });
        Assert.Equal([10, 16], reports.Select(r => r.Done));
    }

    [Fact]
    public void Deconvnet_TinyNetwork_EqualsTheHandComputation()
    {
        using DisposeScope scope = NewDisposeScope();
        manual_seed(2);
        var conv = Conv2d(3, 4, 3, padding: 1);
        var network = Sequential(("conv", conv), ("relu", ReLU(inplace: true)), ("pool", AdaptiveAvgPool2d(1)),
            ("flatten", Flatten()), ("fc", Linear(4, 3)));
        var relu = (TorchSharp.Modules.ReLU)network.named_modules().Single(m => m.name == "relu").module;
        Tensor input = randn(1, 3, 6, 6);
        // Above the ReLU the network is linear: the gradient arriving at the ReLU's output is g = W_fc[class] / (h w)
        // at every position. The deconvnet passes relu(g) down whatever the ReLU's input was, and the convolution's
        // transpose takes it to the pixels: the gradient of sum(relu(g) * conv(x)).
        var fc = (TorchSharp.Modules.Linear)network.named_modules().Single(m => m.name == "fc").module;
        Tensor signal = (fc.weight![Class] / 36).relu().reshape(1, 4, 1, 1).detach();
        Tensor leaf = input.detach().requires_grad_(true);
        Tensor expected = autograd.grad([(conv.call(leaf) * signal).sum()], [leaf])[0][0];

        float[] actual = new Deconvnet(new TorchModuleModel(network)).Explain(input, new ClassTarget(Class)).Single()
            .Attribution!.Values;
        float[] plain = new VanillaGradient(new TorchModuleModel(network)).Explain(input, new ClassTarget(Class))
            .Single().Attribution!.Values;

        Tolerance.AssertClose(Values(expected), actual, 1e-5);
        Assert.True(Tolerance.RelativeError(Values(expected), plain) > 1e-2, "the ReLU rule made no difference");
        Assert.True(relu.inplace, "the in-place flag was not restored");
    }

    private sealed class Recorder(List<MethodProgress> reports) : IProgress<MethodProgress>
    {
        public void Report(MethodProgress value) => reports.Add(value);
    }
}
