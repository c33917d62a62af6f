using System.Diagnostics;
using GradCamSharp.Methods;
using GradCamSharp.Models;
using GradCamSharp.Onnx;
using GradCamSharp.Targets;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace GradCamSharp.Catalog.Tests;

/// <summary>
/// Every registered method on every architecture fixture and on the default model: a finite map of the input's size,
/// and the model left as it was (the same output for the same input afterwards).
/// </summary>
public sealed class MethodSweepTests(ITestOutputHelper output)
{
    private const int MaximumChannels = 256;

    public static TheoryData<string> Models => new()
    {
        "default", "resnet18", "vgg11_bn_small", "squeezenet1_1", "googlenet", "densenet121", "mobilenet_v2",
        "mobilenet_v3_small", "efficientnet_b0", "shufflenet_v2_x1_0", "text_orientation_ppocr_cls",
    };

    private static (IExplainableModel Model, long[] InputShape, IDisposable Owner) Load(string name)
    {
        if (name == "default")
        {
            LoadedModel loaded = DefaultModel.Load();
            return (loaded.Model, [1, 3, 224, 224], loaded);
        }
        string path = name.StartsWith("text_", StringComparison.Ordinal)
            ? SharedFixtures.Require($"fixtures/onnx/{name}.onnx")
            : SharedFixtures.RequireGunzipped($"fixtures/onnx/{name}.onnx.gz");
        var model = new OnnxExplainableModel(OnnxModule.Load(path));
        return (model, name.StartsWith("text_", StringComparison.Ordinal) ? [1, 3, 48, 192] : [1, 3, 224, 224], model);
    }

    [SkippableTheory]
    [MemberData(nameof(Models))]
    public void EveryMethod_GivesAFiniteMapOfTheInputsSize_AndLeavesTheModelAsItWas(string name)
    {
        (IExplainableModel model, long[] shape, IDisposable owner) = Load(name);
        using IDisposable _ = owner;
        using DisposeScope scope = NewDisposeScope();
        manual_seed(5);
        Tensor input = randn(shape);
        float[] before;
        using (no_grad()) before = model.Forward(input, ForwardTaps.None).data<float>().ToArray();
        // The last feature map of at most 256 channels: Score-CAM runs one forward pass per channel, and 1,024 of them
        // on a DenseNet would take most of a minute; the automatic layer is what every other test uses.
        LayerInfo layer = ModelLayers.Describe(model, input).LastOrDefault(l => l.IsSpatialFeatureMap
            && l.Shape[1] <= MaximumChannels) ?? throw new InvalidOperationException($"{name}: no small feature map");
        var options = new CamOptions { Layer = layer.Name };
        var stopwatch = Stopwatch.StartNew();
        foreach (MethodDescriptor method in KnownMethods.Registered)
        {
            if (method.Obstacle(model) is string obstacle)
            {
                // What it cannot do (a ReLU rule on a model without ReLUs) it refuses, saying why.
                output.WriteLine($"{name} {method.Name}: {obstacle}");
                Assert.Throws<UsageException>(() => method.Create(model, options).Explain(input,
                    new TopClassesTarget(1)));
                continue;
            }
            long started = stopwatch.ElapsedMilliseconds;
            Explanation explanation = method.Create(model, options).Explain(input, new TopClassesTarget(1)).Single();
            output.WriteLine($"{name} {method.Name} at {layer.Name} [{string.Join(", ", layer.Shape)}]: " +
                $"{stopwatch.ElapsedMilliseconds - started} ms");
            Assert.Equal(shape[3], explanation.Heatmap.Width);
            Assert.Equal(shape[2], explanation.Heatmap.Height);
            Assert.All(explanation.Heatmap.Values, v => Assert.True(float.IsFinite(v), $"{name} {method.Name}"));
            Assert.InRange(explanation.Heatmap.Values.Min(), 0f, 1f);
            Assert.InRange(explanation.Heatmap.Values.Max(), 0f, 1f);
            Assert.True(float.IsFinite(explanation.Score));
        }
        using (no_grad())
            Assert.Equal(before, model.Forward(input, ForwardTaps.None).data<float>().ToArray());
    }
}
