using GradCamSharp.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace GradCamSharp.Onnx.Tests;

/// <summary>
/// Running only the part of a graph after a layer gives what the whole graph gives with that layer's output replaced:
/// the proof that Ablation-CAM's tail-only passes score the same model.
/// </summary>
public sealed class ModelTailTests
{
    public static TheoryData<string> Fixtures => FixtureModelTests.Fixtures;

    /// <summary>The whole model run on copies of <paramref name="input"/> with the layer's output replaced.</summary>
    private static Tensor WholeModel(OnnxExplainableModel model, Tensor input, string layer, Tensor layerOutputs) =>
        model.Forward(input.expand([layerOutputs.shape[0], .. input.shape[1..]]),
            new ForwardTaps { Layer = layer, ReplaceLayerOutput = _ => layerOutputs.alias() });

    [SkippableTheory]
    [MemberData(nameof(Fixtures))]
    public void Tail_EqualsTheWholeModelWithTheLayerReplaced_AtTheAutoAndAMiddleLayer(string fixture)
    {
        string path = SharedFixtures.RequireGunzipped($"fixtures/onnx/{fixture}.onnx.gz");
        using var model = new OnnxExplainableModel(OnnxModule.Load(path));
        using DisposeScope scope = NewDisposeScope();
        using var noGrad = no_grad();
        manual_seed(3);
        Tensor input = randn(1, 3, 224, 224);
        string auto = ModelLayers.Resolve(model, ModelLayers.Auto, input);
        LayerInfo[] maps = ModelLayers.Describe(model, input).Where(l => l.IsSpatialFeatureMap).ToArray();
        foreach (string layer in new[] { auto, maps[maps.Length / 2].Name })
        {
            ModelTail tail = ModelTail.Split(model, input, layer);
            Assert.True(tail.TailOnly, $"{fixture} at {layer}");
            Tolerance.AssertClose(model.Forward(input, ForwardTaps.None).data<float>().ToArray(),
                tail.Run(tail.LayerOutput).data<float>().ToArray(), 1e-4, $"{fixture} at {layer}, unchanged");

            // Three different replacements in one batch: each row must be scored as its own sample.
            Tensor changed = cat([tail.LayerOutput, tail.LayerOutput * 0.5, tail.LayerOutput.flip(1)], 0);
            Tolerance.AssertClose(WholeModel(model, input, layer, changed).data<float>().ToArray(),
                tail.Run(changed).data<float>().ToArray(), 1e-4, $"{fixture} at {layer}, replaced");
        }
    }

    [Fact]
    public void Tail_RunsOnlyTheNodesAfterTheLayer_AndRepeatsValuesThatSkipPastIt()
    {
        // y = relu(x) + x, z = y * 2: split at relu(x), the tail reads x (the skip) besides the layer.
        using OnnxModule module = new OnnxGraphBuilder("skip")
            .Input("x", -1, 2).Output("z", -1, 2)
            .Initializer("two", [], [2f])
            .Node("Relu", "relu", ["x"], ["r"])
            .Node("Add", "add", ["r", "x"], ["y"])
            .Node("Mul", "mul", ["y", "two"], ["z"])
            .Load();
        using var model = new OnnxExplainableModel(module, leaveOpen: true);
        using DisposeScope scope = NewDisposeScope();
        Assert.Equal(["x"], module.TailInputs("r", ["z"]));
        Tensor input = tensor(new float[] { -1, 3 }).reshape(1, 2);
        ModelTail tail = ModelTail.Split(model, input, "r");
        Assert.Equal([0f, 3f], tail.LayerOutput.data<float>().ToArray());
        Tensor replaced = tensor(new float[] { 0, 3, 10, 20 }).reshape(2, 2);
        // (r + x) * 2 with x = [-1, 3] for both rows.
        Assert.Equal([-2f, 12f, 18f, 46f], tail.Run(replaced).data<float>().ToArray());
    }

    [Fact]
    public void Split_OfAModelWithoutATail_FallsBackToWholeForwardPasses()
    {
        using DisposeScope scope = NewDisposeScope();
        var network = TorchSharp.torch.nn.Sequential(("relu", TorchSharp.torch.nn.ReLU()),
            ("scale", TorchSharp.torch.nn.Identity()));
        // A forward that runs in a dispose scope of its own, as real models do: what the split keeps must outlive it.
        using var model = new TorchModuleModel(network, x =>
        {
            using DisposeScope inner = NewDisposeScope();
            return network.call(x * 1).MoveToOuterDisposeScope();
        });
        Tensor input = tensor(new float[] { -1, 3 }).reshape(1, 2);
        ModelTail tail = ModelTail.Split(model, input, "relu");
        Assert.False(tail.TailOnly);
        Assert.Equal([0f, 3f], tail.LayerOutput.data<float>().ToArray());
        Assert.Equal([5f, 6f, 7f, 8f], tail.Run(tensor(new float[] { 5, 6, 7, 8 }).reshape(2, 2))
            .data<float>().ToArray());
    }
}
