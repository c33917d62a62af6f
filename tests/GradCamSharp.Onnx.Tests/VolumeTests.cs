using System.Text.Json;
using GradCamSharp.Methods;
using GradCamSharp.Models;
using GradCamSharp.Targets;
using TorchSharp;
using static TorchSharp.torch;

namespace GradCamSharp.Onnx.Tests;

/// <summary>
/// A 3-D CNN exported by torch.onnx.export (volumes/make_conv3d.py), imported and explained at its volume map, against
/// ONNX Runtime and the pytorch-grad-cam library's own maps of the same weights.
/// </summary>
public sealed class VolumeTests
{
    private static string Fixture(string name) => PyTorchReferences.Fixture("volumes", name);

    /// <summary>make_conv3d.py's input: sin(0.5 d) cos(0.4 h) + sin(0.3 w + 0.2 d), [1, 1, 12, 10, 8].</summary>
    private static Tensor Input()
    {
        Tensor d = arange(12.0).reshape(12, 1, 1), h = arange(10.0).reshape(1, 10, 1), w = arange(8.0).reshape(1, 1, 8);
        return (sin(0.5 * d) * cos(0.4 * h) + sin(0.3 * w + 0.2 * d)).to(ScalarType.Float32).reshape(1, 1, 12, 10, 8);
    }

    [Fact]
    public void Conv3dExport_EqualsOnnxRuntime_AndItsMapsEqualThePytorchGradCamLibrarys()
    {
        using DisposeScope scope = NewDisposeScope();
        using JsonDocument golden = JsonDocument.Parse(File.ReadAllText(Fixture("conv3d_tiny.json")));
        using var model = new OnnxExplainableModel(OnnxModule.Load(Fixture("conv3d_tiny.onnx")));
        Tensor input = Input();
        float[] logits;
        using (no_grad()) logits = model.Forward(input, ForwardTaps.None).data<float>().ToArray();
        OnnxRuntimeOracle.AssertAgrees(OnnxRuntimeOracle.Run(Fixture("conv3d_tiny.onnx"), "volume",
            input.data<float>().ToArray(), [1, 1, 12, 10, 8]), logits, "ONNX Runtime");
        // The automatic layer is the last volume map (the 1x1 mixing's Tanh); the library was given the second ReLU,
        // and so is GradCamSharp, by the module path its user types.
        Assert.Equal(model.FindLayer("tanh"), ModelLayers.Resolve(model, ModelLayers.Auto, input));
        var options = new CamOptions { Layer = golden.RootElement.GetProperty("layer_module").GetString()! };

        foreach (JsonProperty reference in golden.RootElement.GetProperty("raw").EnumerateObject())
        {
            string[] methodAndClass = reference.Name.Split(' ');
            float[] theirs = PyTorchReferences.Floats(reference.Value);
            Explanation explanation = KnownMethods.Create(methodAndClass[0], model, options)
                .Explain(input, new ClassTarget(int.Parse(methodAndClass[1], System.Globalization.CultureInfo
                    .InvariantCulture))).Single();
            float[] ours = explanation.RawVolume!.Values;
            Assert.Equal((6, 5, 4), (explanation.RawVolume.Depth, explanation.RawVolume.Height,
                explanation.RawVolume.Width));
            float scale = Math.Max(theirs.Max(), 1e-12f);
            Assert.True(theirs.Zip(ours).Max(p => Math.Abs(p.First - p.Second)) <= 1e-4 * scale + 1e-9,
                $"{reference.Name}: largest difference {theirs.Zip(ours).Max(p => Math.Abs(p.First - p.Second))} " +
                $"of {scale}");
        }
        // At the input's size the library zooms with a cubic spline, GradCamSharp trilinearly: the same map, smoothed
        // differently.
        foreach (JsonProperty reference in golden.RootElement.GetProperty("gradcam_at_input").EnumerateObject())
        {
            float[] theirs = PyTorchReferences.Floats(reference.Value);
            float[] ours = new GradCam(model, options).Explain(input, new ClassTarget(int.Parse(reference.Name,
                System.Globalization.CultureInfo.InvariantCulture))).Single().Volume!.Values;
            if (theirs.Max() == 0)
            {
                // Grad-CAM's ReLU leaves nothing of this class's map: nothing in either.
                Assert.All(ours, v => Assert.Equal(0f, v));
                continue;
            }
            double correlation = Tolerance.Correlation(theirs, ours);
            Assert.True(correlation >= 0.95, $"class {reference.Name}: correlation {correlation}");
        }
    }
}
