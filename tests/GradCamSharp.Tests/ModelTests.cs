using GradCamSharp.Methods;
using GradCamSharp.Models;
using GradCamSharp.Targets;
using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace GradCamSharp.Tests;

public sealed class ModelTests
{
    [Fact]
    public void ChainedModel_RunsPreprocessingFirst_AndExplainsTheMainModelsLayers()
    {
        using DisposeScope scope = NewDisposeScope();
        var scale = new TorchModuleModel(Sequential(("halve", new Scale(0.5))));
        Module<Tensor, Tensor> network = TestNetworks.GapLinear();
        using var chained = new ChainedModel(scale, new TorchModuleModel(network));
        Tensor input = randn(1, 3, 16, 16);

        Tensor expected;
        using (no_grad()) expected = network.call(input * 0.5);
        Tensor actual;
        using (no_grad()) actual = chained.Forward(input, ForwardTaps.None);
        Assert.True(expected.allclose(actual, rtol: 1e-5, atol: 1e-6));
        Assert.Equal("features", chained.FindLayer("features"));
        Assert.Null(chained.FindLayer("halve"));

        // The gradient reaches the input through the preprocessing: Guided Backprop is half that of the main model.
        IReadOnlyList<float> throughChain =
            new GuidedBackprop(chained).Explain(input, new ClassTarget(1)).Single().Attribution!.Values;
        IReadOnlyList<float> direct = new GuidedBackprop(new TorchModuleModel(network, leaveOpen: true))
            .Explain(input * 0.5, new ClassTarget(1)).Single().Attribution!.Values;
        Tolerance.AssertClose(direct.Select(v => v * 0.5f).ToArray(), throughChain, 1e-5);
    }

    [Fact]
    public void TorchModuleModel_DisposesItsModuleUnlessLeftOpen()
    {
        Module<Tensor, Tensor> kept = TestNetworks.GapLinear();
        new TorchModuleModel(kept, leaveOpen: true).Dispose();
        using (no_grad()) kept.call(randn(1, 3, 8, 8)).Dispose();

        Module<Tensor, Tensor> owned = TestNetworks.GapLinear();
        new TorchModuleModel(owned).Dispose();
        Assert.All(owned.parameters(), p => Assert.True(p.IsInvalid));
    }

    [Fact]
    public void AutoLayer_SkipsAFinalOneByOneMap_AndPicksTheLastMapLargerThanThat()
    {
        using DisposeScope scope = NewDisposeScope();
        // 8x8 -> 4x4 -> 2x2 -> 1x1: the last map is 1x1, so auto picks the 2x2 one.
        var network = Sequential(
            ("c1", Conv2d(3, 4, 3, stride: 2, padding: 1)), ("r1", ReLU()),
            ("c2", Conv2d(4, 4, 3, stride: 2, padding: 1)), ("r2", ReLU()),
            ("c3", Conv2d(4, 4, 3, stride: 2, padding: 1)), ("r3", ReLU()),
            ("flatten", Flatten()), ("fc", Linear(4, 2)));
        using var model = new TorchModuleModel(network);
        Assert.Equal("r2", ModelLayers.Resolve(model, ModelLayers.Auto, randn(1, 3, 8, 8)));
        Assert.Equal("r2", new GradCam(model).Explain(randn(1, 3, 8, 8)).Single().Layer);
    }

    [Fact]
    public void AutoLayer_NoSpatialMap_FailsSayingWhatToDo()
    {
        using DisposeScope scope = NewDisposeScope();
        using var model = new TorchModuleModel(Sequential(("flatten", Flatten()), ("fc", Linear(12, 2))));
        var error =
            Assert.Throws<UsageException>(() => ModelLayers.Resolve(model, ModelLayers.Auto, randn(1, 3, 2, 2)));
        Assert.Contains("name a layer", error.Message);
    }

    private sealed class Scale(double factor) : Module<Tensor, Tensor>("scale")
    {
        public override Tensor forward(Tensor input) => input * factor;
    }
}
