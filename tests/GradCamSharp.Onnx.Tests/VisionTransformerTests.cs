using System.Text.Json;
using Xunit.Abstractions;
using GradCamSharp.Methods;
using GradCamSharp.Models;
using GradCamSharp.Targets;
using TorchSharp;
using static TorchSharp.torch;

namespace GradCamSharp.Onnx.Tests;

/// <summary>
/// torchvision's own VisionTransformer, exported by torch.onnx.export (transformers/make_vit.py): it imports, its
/// automatic layer is the last block's first norm, and Grad-CAM there equals PyTorch's, computed as pytorch-grad-cam
/// computes it with the reshape transform its users write by hand.
/// </summary>
public sealed class VisionTransformerTests(ITestOutputHelper output)
{
    private static string Fixture(string name) => PyTorchReferences.Fixture("transformers", name);

    private const string LastBlockFirstNorm = "/encoder/layers/encoder_layer_1/ln_1/Add_1_output_0";

    /// <summary>The input make_vit.py feeds.</summary>
    private static Tensor Input() => PyTorchReferences.SineInput(64);

    [Fact]
    public void TorchvisionsVit_Imports_AndItsGradCamAtTheAutomaticLayer_IsPyTorchsOwn()
    {
        using DisposeScope scope = NewDisposeScope();
        using JsonDocument golden = JsonDocument.Parse(File.ReadAllText(Fixture("vit_tiny_gradcam.json")));
        using var model = new OnnxExplainableModel(OnnxModule.Load(Fixture("vit_tiny.onnx")));
        Tensor input = Input();

        float[] logits = model.Forward(input, ForwardTaps.None).data<float>().ToArray();
        Tolerance.AssertClose(PyTorchReferences.Floats(golden.RootElement.GetProperty("logits")), logits, 1e-4);
        Assert.Equal(LastBlockFirstNorm, ModelLayers.Resolve(model, ModelLayers.Auto, input));
        Assert.Equal(LastBlockFirstNorm, model.FindLayer("encoder.layers.encoder_layer_1.ln_1"));

        var gradCam = new GradCam(model);
        JsonElement[] maps = [.. golden.RootElement.GetProperty("gradcam").EnumerateArray()];
        for (int target = 0; target < maps.Length; target++)
        {
            Explanation map = gradCam.Explain(input, new ClassTarget(target)).Single();
            Assert.Equal(new TokenGrid(4, 4, 1), map.Tokens);
            float[] expected = PyTorchReferences.Floats(maps[target]);
            Tolerance.AssertClose(expected, map.RawMap!.Values, 1e-4);
        }
    }

    [Fact]
    public void TorchvisionsSwin_Imports_AgreesWithOnnxRuntime_AndIsExplainedAtItsChannelsFirstMap()
    {
        using DisposeScope scope = NewDisposeScope();
        string path = Fixture("swin_tiny.onnx");
        using var model = new OnnxExplainableModel(OnnxModule.Load(path));
        manual_seed(3);
        Tensor input = randn(1, 3, 32, 32);

        OnnxRuntimeOracle.AssertAgrees(OnnxRuntimeOracle.Run(path, "input", input.data<float>().ToArray(),
            [1, 3, 32, 32]), model.Forward(input, ForwardTaps.None).data<float>().ToArray(), "swin_tiny");
        // Swin's blocks are channels-last [N, H, W, C]; its last norm permuted is the [N, C, H, W] map its head pools.
        Explanation map = new GradCam(model, new CamOptions { Layer = "/permute/Transpose_output_0" })
            .Explain(input, new ClassTarget(2)).Single();
        Assert.True(map.Heatmap.Values.All(float.IsFinite) && map.Heatmap.Values.Max() > 0);
    }

    [Fact]
    public void TorchvisionsSwin_ChannelsLastBlocks_AreMaps_AndGradCamThereIsPyTorchsOwn()
    {
        // transformers/make_swin_gradcam.py: Grad-CAM as pytorch-grad-cam computes it with the reshape transform its
        // Swin users write (channels first), at the last block's two norms and at the final norm.
        using DisposeScope scope = NewDisposeScope();
        using JsonDocument golden = JsonDocument.Parse(File.ReadAllText(Fixture("swin_tiny_gradcam.json")));
        using var model = new OnnxExplainableModel(OnnxModule.Load(Fixture("swin_tiny.onnx")));
        Tensor input = PyTorchReferences.SineInput(32);
        Tolerance.AssertClose(PyTorchReferences.Floats(golden.RootElement.GetProperty("logits")),
            model.Forward(input, ForwardTaps.None).data<float>().ToArray(), 1e-3);

        // The automatic layer is the last map, as a CNN's: the final norm, channels-last, which the head pools.
        LayerInfo auto = ModelLayers.FindAuto(model, input);
        Assert.Equal("/norm/LayerNormalization_output_0", auto.Name);
        Assert.True(auto.IsChannelsLast);
        foreach (JsonProperty layer in golden.RootElement.GetProperty("gradcam").EnumerateObject())
        {
            string name = model.FindLayer(layer.Name)!;
            Assert.True(ModelLayers.Describe(model, input).Single(l => l.Name == name).IsChannelsLast, layer.Name);
            JsonElement[] maps = [.. layer.Value.EnumerateArray()];
            for (int target = 0; target < maps.Length; target++)
            {
                Explanation map = new GradCam(model, new CamOptions { Layer = layer.Name })
                    .Explain(input, new ClassTarget(target)).Single();
                Tolerance.AssertClose(PyTorchReferences.Floats(maps[target]),
                    map.RawMap!.Values, 1e-3, $"{layer.Name} class {target}");
            }
        }
    }

    [Fact]
    public void ADeitStyleVit_WithTwoLeadingTokens_IsExplainedAsPyTorchExplainsIt()
    {
        // transformers/make_deit.py: a class and a distillation token before 4x4 patch tokens; PyTorch's Grad-CAM
        // with the reshape that drops both, and its rollout and relevance on the class token's row.
        using DisposeScope scope = NewDisposeScope();
        string path = Fixture("deit_tiny.onnx");
        using JsonDocument golden = JsonDocument.Parse(File.ReadAllText(Fixture("deit_tiny.json")));
        using var model = new OnnxExplainableModel(OnnxModule.Load(path));
        Tensor input = Input();
        float[] logits = model.Forward(input, ForwardTaps.None).data<float>().ToArray();
        Tolerance.AssertClose(PyTorchReferences.Floats(golden.RootElement.GetProperty("logits")), logits, 1e-4);
        OnnxRuntimeOracle.AssertAgrees(OnnxRuntimeOracle.Run(path, "input", input.data<float>().ToArray(),
            [1, 3, 64, 64]), logits, "deit_tiny");

        // The same automatic layer as a ViT's, found from the gradients: the last block's first norm.
        Assert.Equal(LastBlockFirstNorm, ModelLayers.Resolve(model, ModelLayers.Auto, input));
        JsonElement root = golden.RootElement;
        for (int target = 0; target < 5; target++)
        {
            Explanation map = new GradCam(model).Explain(input, new ClassTarget(target)).Single();
            Assert.Equal(new TokenGrid(4, 4, 2), map.Tokens);
            Tolerance.AssertClose(PyTorchReferences.Floats(root.GetProperty("gradcam")[target]), map.RawMap!.Values,
                1e-4);
            Explanation relevance = new AttentionRelevance(model).Explain(input, new ClassTarget(target)).Single();
            Tolerance.AssertClose(PyTorchReferences.Floats(root.GetProperty("relevance")[target]),
                relevance.RawMap!.Values, 1e-4);
        }
        Explanation rollout = new AttentionRollout(model).Explain(input, new ClassTarget(0)).Single();
        Tolerance.AssertClose(PyTorchReferences.Floats(root.GetProperty("rollout")), rollout.RawMap!.Values, 1e-4);
    }

    [Fact]
    public void GradCamAndLayerCam_EqualThePytorchGradCamLibrarysOwnMaps()
    {
        // transformers/make_library_maps.py: jacobgil/pytorch-grad-cam's GradCAM and LayerCAM with the reshape
        // transforms its documentation gives; the ViT at our automatic layer, the Swin at the layer it names. Its maps
        // are min-max scaled and resized with OpenCV, ours with bilinear interpolation: compared by correlation over
        // the input-size map, as the issue asks, and by the largest difference.
        using DisposeScope scope = NewDisposeScope();
        using JsonDocument golden = JsonDocument.Parse(File.ReadAllText(Fixture("library_maps.json")));
        foreach (JsonProperty fixture in golden.RootElement.EnumerateObject())
        {
            using var model = new OnnxExplainableModel(OnnxModule.Load(Fixture(fixture.Name + ".onnx")));
            int size = fixture.Value.GetProperty("size")[0].GetInt32();
            Tensor input = PyTorchReferences.SineInput(size);
            string layer = fixture.Name == "vit_tiny" ? ModelLayers.Auto
                : fixture.Value.GetProperty("layer").GetString()!;
            foreach (JsonProperty method in fixture.Value.GetProperty("maps").EnumerateObject())
            {
                foreach (JsonProperty target in method.Value.EnumerateObject())
                {
                    float[] theirs = PyTorchReferences.Floats(target.Value);
                    float[] ours = KnownMethods.Create(method.Name, model, new CamOptions { Layer = layer })
                        .Explain(input, new ClassTarget(int.Parse(target.Name, System.Globalization.CultureInfo
                            .InvariantCulture))).Single().Heatmap.Values;
                    double correlation = Tolerance.Correlation(theirs, ours);
                    double largest = theirs.Zip(ours).Max(p => Math.Abs(p.First - p.Second));
                    string what = $"{fixture.Name} {method.Name} class {target.Name}";
                    output.WriteLine($"{what}: correlation {correlation:0.00000}, largest difference {largest:0.0000}");
                    Assert.True(correlation >= 0.99, $"{what}: correlation {correlation}");
                    Assert.True(largest < 1e-3, $"{what}: largest difference {largest}");
                }
            }
        }
    }
}
