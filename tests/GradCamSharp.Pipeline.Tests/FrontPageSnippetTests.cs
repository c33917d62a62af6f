using GradCamSharp.Imaging;
using GradCamSharp.Maps;
using GradCamSharp.Methods;
using GradCamSharp.Models;
using GradCamSharp.Onnx;
using GradCamSharp.Targets;
using SkiaSharp;
using TorchSharp;
using static TorchSharp.torch;

namespace GradCamSharp.Pipeline.Tests;

/// <summary>The README's library snippet, as written there, on a shipped photo and an ONNX fixture.</summary>
public sealed class FrontPageSnippetTests
{
    [Fact]
    public void TheSnippet_Runs_AndItsMapsLieOnThePhoto()
    {
        string path = SharedFixtures.RequireGunzipped("fixtures/onnx/resnet18.onnx.gz");
        // From here to the marked end, the README's snippet (the model's path and the photo aside).
        using var model = new OnnxExplainableModel(OnnxModule.Load(path));   // or any TorchSharp module
        using DisposeScope scope = torch.NewDisposeScope();
        using SKBitmap photo = ImageLoader.Load(SharedFixtures.Sample("dog.jpg"));
        PreparedImage prepared = ImagePreprocessor.Prepare(photo, KnownPreprocessing.ImageNet);
        Tensor input = prepared.ToTensor();   // [1, 3, 224, 224]

        var gradCam = new GradCam(model, new CamOptions { Layer = ModelLayers.Auto });
        IReadOnlyList<Explanation> maps = gradCam.Explain(input, new TopClassesTarget(3));   // 3 classes, one forward
        Heatmap onPhoto = prepared.ToOriginal(maps[0].Heatmap);   // in the photo's pixels, values in [0, 1]

        // The paper's four maps from one forward pass, for any differentiable score.
        var margin = new DelegateTarget("dog vs cat", output => output[.., 207] - output[.., 281]);
        IReadOnlyList<Explanation> four = KnownMethods.CreateSet(["all"], model).Explain(input, margin);
        // End of the snippet.

        Assert.Equal(3, maps.Count);
        Assert.Equal((photo.Width, photo.Height), (onPhoto.Width, onPhoto.Height));
        Assert.InRange(onPhoto.Values.Max(), 0.99f, 1f);
        Assert.Equal([KnownMethods.GradCam, KnownMethods.GuidedBackprop, KnownMethods.GuidedGradCam,
            KnownMethods.Counterfactual], four.Select(e => e.Method));
        string readme = File.ReadAllText(Path.Combine(SharedFixtures.RepositoryRoot, "README.md"));
        foreach (string line in new[]
        {
            "PreparedImage prepared = ImagePreprocessor.Prepare(photo, KnownPreprocessing.ImageNet);",
            "var gradCam = new GradCam(model, new CamOptions { Layer = ModelLayers.Auto });",
            "Heatmap onPhoto = prepared.ToOriginal(maps[0].Heatmap);",
            "IReadOnlyList<Explanation> four = KnownMethods.CreateSet([\"all\"], model).Explain(input, margin);",
        })
        {
            Assert.Contains(line, readme);
        }
    }
}
