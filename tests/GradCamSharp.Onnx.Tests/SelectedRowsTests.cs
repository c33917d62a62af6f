using GradCamSharp.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace GradCamSharp.Onnx.Tests;

/// <summary>
/// A tail whose head reads a few tokens runs its row-wise operations on those rows only, and gives the outputs and the
/// gradients at the layer that the full tail gives: for a ViT, a DeiT (two tokens) and graphs built to be awkward.
/// </summary>
public sealed class SelectedRowsTests
{
    private static string Fixture(string name) => PyTorchReferences.Fixture("transformers", name);

    /// <summary>The tail's outputs for <paramref name="layerValues"/>, and the gradient of their weighted
    /// sum.</summary>
    private static (float[] Outputs, float[] Gradient) TailRun(OnnxModule module, string layer,
        Tensor layerValues, IReadOnlyDictionary<string, Tensor> computed, bool selectRows)
    {
        module.SelectRows = selectRows;
        Tensor value = layerValues.detach().clone().requires_grad_();
        string output = module.OutputNames[0];
        Tensor result = module.RunTail(layer, value, computed, [output])[output];
        // Every output weighted differently, so that a gradient reaching a wrong row or class would show.
        Tensor weights = arange(result.numel(), dtype: result.dtype).reshape(result.shape).cos();
        Tensor gradient = autograd.grad([(result * weights).sum()], [value])[0];
        return (result.detach().data<float>().ToArray(), gradient.data<float>().ToArray());
    }

    /// <summary>
    /// Asserts the tail after <paramref name="layer"/> gives the full tail's outputs and gradients with at least
    /// <paramref name="leastRegionNodes"/> nodes on selected rows, for one sample and, where
    /// <paramref name="batches"/> (torch's exporter bakes the batch size into some graphs), a batch of three.
    /// </summary>
    private static void AssertSameAsFullTail(OnnxModule module, string layer, Tensor input, int leastRegionNodes,
        bool batches)
    {
        string output = module.OutputNames[0];
        IReadOnlyList<string> frontier = module.TailInputs(layer, [output]);
        var inputs = new Dictionary<string, Tensor> { [module.InputNames[0]] = input };
        IReadOnlyDictionary<string, Tensor> computed = module.Run(inputs, outputs: [layer, .. frontier]);
        Tensor layerValue = computed[layer];
        // One sample, and three different layer values in one batch (Score-CAM's and Ablation-CAM's passes).
        Tensor batch = cat([layerValue, layerValue * 0.5, layerValue.flip(1)], 0);
        var repeated = frontier.ToDictionary(name => name, name => computed[name].dim() >= 2
            ? computed[name].expand([3, .. computed[name].shape[1..]]) : computed[name]);
        foreach ((Tensor values, IReadOnlyDictionary<string, Tensor> read) in new[] { (layerValue, computed),
            (batch, (IReadOnlyDictionary<string, Tensor>)repeated) }.Take(batches ? 2 : 1))
        {
            (float[] fullOutputs, float[] fullGradient) = TailRun(module, layer, values, read, selectRows: false);
            (float[] outputs, float[] gradient) = TailRun(module, layer, values, read, selectRows: true);
            Assert.True(module.SelectedRowNodes(layer) >= leastRegionNodes,
                $"{module.SelectedRowNodes(layer)} nodes ran on selected rows, expected at least {leastRegionNodes}");
            Tolerance.AssertClose(fullOutputs, outputs, 1e-5, "outputs");
            Tolerance.AssertClose(fullGradient, gradient, 1e-5, "gradient at the layer");
            Assert.Contains(fullGradient, g => g != 0);
        }
    }

    [Theory]
    [InlineData("vit_tiny.onnx", 64, 30)]
    [InlineData("deit_tiny.onnx", 64, 30)]
    public void TransformerTail_AtTheAutomaticLayer_RunsOnTheClassTokensRows_WithTheFullTailsGradients(
        string fixture, int size, int leastRegionNodes)
    {
        using DisposeScope scope = NewDisposeScope();
        using var model = new OnnxExplainableModel(OnnxModule.Load(Fixture(fixture)));
        manual_seed(5);
        Tensor input = randn(1, 3, size, size);
        string layer = ModelLayers.Resolve(model, ModelLayers.Auto, input);
        AssertSameAsFullTail(model.Module, layer, input, leastRegionNodes, batches: false);
    }

    [Fact]
    public void RowsMixedAfterTheLayer_StayWhole_AndOnlyTheRowWisePartIsNarrowed()
    {
        // x [N, 4, 3] -> layer -> relu -> (relu + mean over tokens of relu) -> token 1. The mean reads every row of
        // relu, so relu stays whole; the addition runs on token 1 only, reading the mean as it is.
        using OnnxModule module = new OnnxGraphBuilder("mixed")
            .Input("x", -1, 4, 3).Output("y", -1, 3)
            .Initializer("token", [], [1L])
            .Node("Identity", "layer", ["x"], ["l"])
            .Node("Relu", "relu", ["l"], ["r"])
            .Node("ReduceMean", "mean", ["r"], ["m"], ("axes", new long[] { 1 }), ("keepdims", 1L))
            .Node("Add", "add", ["r", "m"], ["s"])
            .Node("Gather", "pick", ["s", "token"], ["y"], ("axis", 1L))
            .Load();
        using DisposeScope scope = NewDisposeScope();
        manual_seed(2);
        AssertSameAsFullTail(module, "l", randn(1, 4, 3), leastRegionNodes: 2, batches: true);
        Assert.Equal(2, module.SelectedRowNodes("l"));
    }

    [Fact]
    public void ConvolutionalTail_HasNoSelectedRows()
    {
        using DisposeScope scope = NewDisposeScope();
        string path = SharedFixtures.RequireGunzipped("fixtures/onnx/resnet18.onnx.gz");
        using var model = new OnnxExplainableModel(OnnxModule.Load(path));
        manual_seed(1);
        Tensor input = randn(1, 3, 224, 224);
        string layer = ModelLayers.Resolve(model, ModelLayers.Auto, input);
        ModelTail.Split(model, input, layer).Run(randn(1, 512, 7, 7));
        Assert.Equal(0, model.Module.SelectedRowNodes(layer));
    }
}
