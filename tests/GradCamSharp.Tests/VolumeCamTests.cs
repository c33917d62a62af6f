using GradCamSharp.Maps;
using GradCamSharp.Methods;
using GradCamSharp.Models;
using GradCamSharp.Targets;
using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace GradCamSharp.Tests;

/// <summary>
/// CAM methods on volume models ([N, C, D, H, W] input): held to closed forms written in three dimensions (the
/// methods themselves read the volume map with its slices one below the other).
/// </summary>
public sealed class VolumeCamTests
{
    private const int Class = 1;

    /// <summary>features (conv3d, relu, conv3d stride 2, relu) -> global average pool, or a 4x4x4 max pool (the
    /// global one of an 8x8x8 input; TorchSharp's AdaptiveMaxPool3d fails) -> linear.</summary>
    private static Module<Tensor, Tensor> Network(bool maxPooled, long seed)
    {
        manual_seed(seed);
        var model = Sequential(
            ("features", Sequential(
                ("conv1", Conv3d(2, 6, 3, padding: 1)), ("relu1", ReLU()),
                ("conv2", Conv3d(6, 8, 3, stride: 2, padding: 1)), ("relu2", ReLU()))),
            ("pool", maxPooled ? MaxPool3d(4) : AdaptiveAvgPool3d([1, 1, 1])),
            ("flatten", Flatten()),
            ("fc", Linear(8, 3)));
        model.eval();
        return model;
    }

    private static Tensor Features(Module<Tensor, Tensor> model, Tensor input) =>
        ((Module<Tensor, Tensor>)model.named_modules().Single(m => m.name == "features").module).call(input);

    [Theory]
    [InlineData(3)]
    [InlineData(17)]
    public void GradCam_GapLinearHead_EqualsCamInThreeDimensions(long seed)
    {
        using DisposeScope scope = NewDisposeScope();
        Module<Tensor, Tensor> model = Network(maxPooled: false, seed);
        Tensor input = randn([1, 2, 10, 12, 8]);
        Tensor features;
        using (no_grad()) features = Features(model, input);
        Tensor weights = ((TorchSharp.Modules.Linear)model.named_modules().Single(m => m.name == "fc").module)
            .weight!.detach();

        Explanation explanation = new GradCam(new TorchModuleModel(model), new CamOptions { Layer = "features" })
            .Explain(input, new ClassTarget(Class)).Single();

        // CAM in 3-D: M_c = sum_k W[c, k] A_k; Grad-CAM's weights are W[c, k] / (d h w).
        long cells = features.shape[2] * features.shape[3] * features.shape[4];
        Tensor cam = einsum("k,kzyx->zyx", weights[Class], features[0]).relu() / cells;
        VolumeMap raw = explanation.RawVolume!;
        Assert.Equal((5, 6, 4), (raw.Depth, raw.Height, raw.Width));
        Tolerance.AssertClose(cam.contiguous().data<float>().ToArray(), raw.Values, 1e-5);
        // At the input's size, trilinearly, in [0, 1]; the heatmap is its largest value along the depth.
        VolumeMap volume = explanation.Volume!;
        Assert.Equal((10, 12, 8), (volume.Depth, volume.Height, volume.Width));
        Assert.InRange(volume.Values.Min(), 0f, 1e-6f);
        Assert.InRange(volume.Values.Max(), 1f - 1e-5f, 1f);
        Assert.Equal(volume.MaximumProjection(0).Values, explanation.Heatmap.Values);
    }

    [Fact]
    public void GradientMethods_OnAMaxPooledHead_MatchTheirFormulasOverThreeAxes()
    {
        using DisposeScope scope = NewDisposeScope();
        Module<Tensor, Tensor> network = Network(maxPooled: true, seed: 5);
        Tensor input = randn([2, 2, 8, 8, 8]);
        // The oracle: activations and gradients of the 5-D map, from autograd directly.
        Tensor features = Features(network, input).detach().requires_grad_(true);
        var modules = network.named_modules().ToDictionary(m => m.name, m => (Module<Tensor, Tensor>)m.module);
        Tensor logits = modules["fc"].call(modules["flatten"].call(modules["pool"].call(features)));
        Tensor gradients = autograd.grad([logits[.., Class].sum()], [features])[0];
        Tensor activations = features.detach();
        var expected = new Dictionary<string, Tensor>
        {
            ["gradcam"] = (gradients.mean([2, 3, 4], keepdim: true) * activations).sum([1]).relu(),
            ["hirescam"] = (gradients * activations).sum([1]).relu(),
            ["layercam"] = (gradients.relu() * activations).sum([1]).relu(),
            ["gradcam++"] = (PlusPlusWeights(gradients, activations) * activations).sum([1]).relu(),
            ["xgradcam"] = ((gradients * activations).sum([2, 3, 4], keepdim: true)
                / (activations.sum([2, 3, 4], keepdim: true) + 1e-7) * activations).sum([1]).relu(),
        };
        var model = new TorchModuleModel(network);
        var options = new CamOptions { Layer = "features" };
        foreach ((string method, Tensor map) in expected)
        {
            IReadOnlyList<Explanation> explained = KnownMethods.Create(method, model, options)
                .Explain(input, new ClassTarget(Class));
            for (int sample = 0; sample < 2; sample++)
            {
                Tolerance.AssertClose(map[sample].contiguous().data<float>().ToArray(),
                    explained[sample].RawVolume!.Values, 1e-5);
            }
        }
    }

    /// <summary>Grad-CAM++'s eq. 19, its sums over all three axes of the map.</summary>
    private static Tensor PlusPlusWeights(Tensor gradients, Tensor activations)
    {
        Tensor squared = gradients.square();
        Tensor denominator = 2 * squared + activations.sum([2, 3, 4], keepdim: true) * squared * gradients;
        Tensor alpha = where(denominator.ne(0), squared / denominator, zeros_like(gradients));
        return (alpha * gradients.relu()).sum([2, 3, 4], keepdim: true);
    }

    [Fact]
    public void AutomaticLayer_OfAVolumeModel_IsItsLastVolumeMap()
    {
        using DisposeScope scope = NewDisposeScope();
        var model = new TorchModuleModel(Network(maxPooled: true, seed: 9));
        Tensor input = randn([1, 2, 8, 8, 8]);
        Explanation explanation = new GradCam(model).Explain(input, new ClassTarget(0)).Single();
        // The features block's output (its last ReLU's, the last 4x4x4 map before the pooling).
        Assert.Equal("features", explanation.Layer);
        Assert.Equal((8, 8, 8), (explanation.Volume!.Depth, explanation.Volume.Height, explanation.Volume.Width));
    }

    [Theory]
    [InlineData("guided-backprop")]
    [InlineData("scorecam")]
    [InlineData("ablationcam")]
    public void MethodsWrittenForImages_RefuseAVolume(string method)
    {
        using DisposeScope scope = NewDisposeScope();
        var model = new TorchModuleModel(Network(maxPooled: true, seed: 9));
        Explainer explainer = KnownMethods.Create(method, model, new CamOptions { Layer = "features" });
        var error = Assert.Throws<UsageException>(() =>
            explainer.Explain(randn([1, 2, 8, 8, 8]), new ClassTarget(0)));
        Assert.Contains("volumes", error.Message);
    }

    [Fact]
    public void VolumeMap_SlicesProjectionsAndRegion_AgreeWithTheirDefinitions()
    {
        var random = new Random(23);
        float[] values = [.. Enumerable.Range(0, 4 * 5 * 6).Select(_ => (float)random.NextDouble())];
        var map = new VolumeMap(4, 5, 6, values);
        (int z, int y, int x) = map.Peak;
        Assert.Equal(values.Max(), map[z, y, x]);
        for (int axis = 0; axis < 3; axis++)
        {
            Heatmap projection = map.MaximumProjection(axis);
            int count = axis == 0 ? 4 : axis == 1 ? 5 : 6;
            float[] expected = [.. projection.Values.Select((_, i) =>
                Enumerable.Range(0, count).Max(k => map.Slice(axis, k).Values[i]))];
            Assert.Equal(expected, projection.Values);
        }
        Assert.Equal(map[2, 3, 4], map.Slice(0, 2)[4, 3]);
        Assert.Equal(map[2, 3, 4], map.Slice(1, 3)[4, 2]);
        Assert.Equal(map[2, 3, 4], map.Slice(2, 4)[3, 2]);

        // Two blocks above 15%, the larger one's box is the region.
        var blocks = new float[4 * 5 * 6];
        var two = new VolumeMap(4, 5, 6, blocks);
        void Fill(int z0, int z1, int y0, int y1, int x0, int x1, float value)
        {
            for (int zz = z0; zz <= z1; zz++)
                for (int yy = y0; yy <= y1; yy++)
                    for (int xx = x0; xx <= x1; xx++) blocks[(zz * 5 + yy) * 6 + xx] = value;
        }
        Fill(0, 0, 0, 0, 0, 0, 1f);
        Fill(1, 3, 2, 4, 3, 5, 0.5f);
        Assert.Equal((1, 2, 3, 3, 4, 5), two.RegionAbove());
        Assert.Null(new VolumeMap(2, 2, 2, new float[8]).RegionAbove());
    }
}
