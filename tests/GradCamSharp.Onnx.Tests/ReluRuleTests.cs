using GradCamSharp.Methods;
using GradCamSharp.Models;
using GradCamSharp.Targets;
using TorchSharp;
using static TorchSharp.torch;

namespace GradCamSharp.Onnx.Tests;

/// <summary>
/// The methods that change how gradients pass ReLUs (Guided Backprop, Guided Grad-CAM, the Deconvnet) follow their
/// rules in closed form, and refuse a model without ReLUs (a ViT's GELUs, a ReLU6 exported as Clip, which
/// pytorch-grad-cam and Captum do not guide either) instead of returning the plain gradient under their names.
/// </summary>
public sealed class ReluRuleTests
{
    /// <summary>y = sum(w * activation(x)): each rule's gradient has a closed form.</summary>
    private static OnnxExplainableModel WeighedSum(float[] weights, bool relu6 = false)
    {
        OnnxGraphBuilder graph = new OnnxGraphBuilder("weighed")
            .Input("x", 1, 1, 1, 4)
            .Output("y", 1, 1)
            .Initializer("low", [], [0f])
            .Initializer("high", [], [6f])
            .Initializer("w", [1, 1, 1, 4], weights);
        graph = relu6 ? graph.Node("Clip", "relu6", ["x", "low", "high"], ["active"])
            : graph.Node("Relu", "relu", ["x"], ["active"]);
        return new(graph
            .Node("Mul", "weigh", ["active", "w"], ["weighed"])
            .Node("Flatten", "flat", ["weighed"], ["row"], ("axis", 1L))
            .Node("ReduceSum", "sum", ["row"], ["y"], ("axes", new long[] { 1 }), ("keepdims", 1L))
            .Load());
    }

    [Fact]
    public void EachReluRule_HoldsInClosedForm()
    {
        using OnnxExplainableModel model = WeighedSum([1, 1, -1, 1]);
        using DisposeScope scope = NewDisposeScope();
        Tensor x = tensor(new float[] { -1, 2, 3, 8 }).reshape(1, 1, 1, 4);

        float[] Rule(Explainer method) => method.Explain(x, new ClassTarget(0)).Single().Attribution!.Values;

        // Plain: w where x > 0. Guided: and only positive gradients. Deconvnet: the rectified gradient coming down,
        // whatever the input was.
        Assert.Null(model.ReluObstacle);
        Assert.Equal([0f, 1f, -1f, 1f], Rule(new VanillaGradient(model)));
        Assert.Equal([0f, 1f, 0f, 1f], Rule(new GuidedBackprop(model)));
        Assert.Equal([1f, 1f, 0f, 1f], Rule(new Deconvnet(model)));
    }

    [Fact]
    public void AReluSixOnlyModel_IsRefusedBeforehandAndWhenRun()
    {
        using OnnxExplainableModel model = WeighedSum([1, 1, -1, 1], relu6: true);
        using DisposeScope scope = NewDisposeScope();
        Assert.Equal(ForwardTaps.NoReluObstacle, model.ReluObstacle);
        foreach (string name in new[] { KnownMethods.GuidedBackprop, "deconvnet" })
            Assert.Equal(ForwardTaps.NoReluObstacle, KnownMethods.Get(name).Obstacle(model));
        Assert.Throws<UsageException>(() => new GuidedBackprop(model).Explain(tensor(new float[] { -1, 2, 3, 8 })
            .reshape(1, 1, 1, 4), new ClassTarget(0)));
    }

    [Fact]
    public void AModelWithoutReLUs_IsRefused_ByEveryReluRule_AndNotByThePlainGradient()
    {
        string path = Path.Combine(SharedFixtures.RepositoryRoot, "tests", "GradCamSharp.Onnx.Tests", "transformers",
            "vit_tiny.onnx");
        using var model = new OnnxExplainableModel(OnnxModule.Load(path));
        using DisposeScope scope = NewDisposeScope();
        Assert.NotNull(model.ReluObstacle);
        manual_seed(3);
        Tensor input = randn(1, 3, 64, 64);
        var target = new ClassTarget(0);
        foreach (Explainer method in new Explainer[] { new GuidedBackprop(model), new Deconvnet(model),
            new GuidedGradCam(model, new CamOptions { Layer = ModelLayers.Auto }) })
        {
            var error = Assert.Throws<UsageException>(() => method.Explain(input, target));
            Assert.Contains("this model has none", error.Message);
            Assert.Contains("--method gradient", error.Message);
        }
        Assert.Single(new VanillaGradient(model).Explain(input, target));
    }
}
