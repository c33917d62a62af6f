using System.Text.Json;
using GradCamSharp.Methods;
using GradCamSharp.Models;
using GradCamSharp.Targets;
using TorchSharp;
using static TorchSharp.torch;

namespace GradCamSharp.Onnx.Tests;

/// <summary>
/// Semantic segmentation: torchvision's FCN and DeepLabV3 in miniature (segmentation/make_fcn.py), explained as the
/// pytorch-grad-cam library's segmentation tutorial explains them, and the segmentation target's semantics on outputs
/// made by hand.
/// </summary>
public sealed class SegmentationTests
{
    private static string Fixture(string name) => PyTorchReferences.Fixture("segmentation", name);

    /// <summary>make_fcn.py's input: x[c, h, w] = sin(0.11 (c + 1) h) + cos(0.07 (c + 2) w).</summary>
    private static Tensor Input()
    {
        Tensor c = arange(3.0).reshape(3, 1, 1), h = arange(64.0).reshape(1, 64, 1), w = arange(64.0).reshape(1, 1, 64);
        return (sin(0.11 * (c + 1) * h) + cos(0.07 * (c + 2) * w)).to(ScalarType.Float32).unsqueeze(0);
    }

    [Theory]
    [InlineData("fcn_tiny")]
    [InlineData("deeplab_tiny")]
    public void TorchvisionsSegmenters_AtTheirAutomaticLayer_EqualThePytorchGradCamLibrary(string stem)
    {
        using DisposeScope scope = NewDisposeScope();
        using JsonDocument golden = JsonDocument.Parse(File.ReadAllText(Fixture($"{stem}.json")));
        using var model = new OnnxExplainableModel(OnnxModule.Load(Fixture($"{stem}.onnx")));
        Tensor input = Input();
        // The backbone's last block, as the library's tutorial takes it; not the output, the last map of all.
        Assert.Equal("/model/backbone/layer2/layer2.1/Relu_output_0", ModelLayers.Resolve(model, ModelLayers.Auto,
            input));
        // The model's own pixels per class are PyTorch's.
        using (no_grad())
        {
            Tensor classes = model.Forward(input, ForwardTaps.None).argmax(1).flatten();
            Assert.Equal(golden.RootElement.GetProperty("pixels").EnumerateArray().Select(p => p.GetInt64()),
                Enumerable.Range(0, 4).Select(c => classes.eq(c).sum().item<long>()));
        }
        var gradCam = new GradCam(model);
        var cases = new Dictionary<string, ITarget>
        {
            ["1"] = new ClassTarget(1),                          // a class of a segmenter: its own pixels
            ["3"] = new SegmentationTarget(3),
            ["2 in the box"] = new SegmentationTarget(2, 8, 16, 40, 48),
        };
        foreach ((string name, ITarget target) in cases)
        {
            float[] theirs = PyTorchReferences.Floats(golden.RootElement.GetProperty("gradcam").GetProperty(name));
            float[] ours = gradCam.Explain(input, target).Single().Heatmap.Values;
            double correlation = Tolerance.Correlation(theirs, ours);
            Assert.True(correlation >= 0.999, $"{name}: correlation {correlation}");
            Assert.True(theirs.Zip(ours).Max(p => Math.Abs(p.First - p.Second)) < 1e-3, name);
        }
        // The top classes of a segmenter are those that cover the most pixels (the FCN's 2, 1, 3).
        int[] mostPixels = [.. golden.RootElement.GetProperty("pixels").EnumerateArray()
            .Select((count, c) => (Count: count.GetInt32(), Class: c)).OrderByDescending(p => p.Count).Take(3)
            .Select(p => p.Class)];
        Assert.Equal(mostPixels, gradCam.Explain(input, new TopClassesTarget(3)).Select(e => e.ClassIndex!.Value));
    }

    [Fact]
    public void TheTarget_SumsTheClassOverItsPixels()
    {
        using DisposeScope scope = NewDisposeScope();
        manual_seed(2);
        Tensor output = randn(2, 3, 4, 5);
        Tensor boxed = new SegmentationTarget(1, 1, 2, 4, 4).Scores(output)[0].Values;
        Tolerance.AssertClose(output[.., 1, 2..4, 1..4].sum([1, 2]).data<float>().ToArray(),
            boxed.data<float>().ToArray(), 1e-6);
        bool[] mask = [.. Enumerable.Range(0, 20).Select(i => i % 3 == 0)];
        Tensor masked = new SegmentationTarget(2, mask, 5, 4).Scores(output)[0].Values;
        Tensor expected = (output[.., 2] * tensor(mask).reshape(4, 5).to(ScalarType.Float32)).sum([1, 2]);
        Tolerance.AssertClose(expected.data<float>().ToArray(), masked.data<float>().ToArray(), 1e-6);
        Tensor own = new SegmentationTarget(0).Scores(output)[0].Values;
        Tensor mine = output.argmax(1).eq(0).to(ScalarType.Float32);
        Tolerance.AssertClose((output[.., 0] * mine).sum([1, 2]).data<float>().ToArray(), own.data<float>().ToArray(),
            1e-6);
        Tolerance.AssertClose(own.data<float>().ToArray(), new ClassTarget(0).Scores(output)[0].Values
            .data<float>().ToArray(), 0);

        Assert.Throws<UsageException>(() => new SegmentationTarget(3).Scores(output));            // 3 classes
        Assert.Throws<UsageException>(() => new SegmentationTarget(0, 0, 0, 9, 2).Scores(output)); // beyond 5x4
        Assert.Throws<UsageException>(() => new SegmentationTarget(0, 2, 2, 2, 3));               // empty box
        Assert.Throws<UsageException>(() => new SegmentationTarget(0, new bool[20], 5, 4));       // empty mask
        Assert.Throws<UsageException>(() => new SegmentationTarget(0).Scores(randn(2, 10)));       // a classifier
    }
}
