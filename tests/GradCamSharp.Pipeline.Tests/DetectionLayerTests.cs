using GradCamSharp.Catalog;
using GradCamSharp.Imaging;
using GradCamSharp.Maps;
using GradCamSharp.Models;
using SkiaSharp;

namespace GradCamSharp.Pipeline.Tests;

/// <summary>
/// A torchvision detector's detections explained at several backbone maps, as pytorch-grad-cam's Faster R-CNN
/// tutorial reads a feature pyramid: each detection's fused map is the fusion of its maps at each layer alone.
/// </summary>
public sealed class DetectionLayerTests
{
    private const string Fine = "/backbone/layer1/layer1.1/Relu_output_0";
    private const string Coarse = "/backbone/layer2/layer2.1/Relu_output_0";

    [Theory]
    [InlineData("fasterrcnn")]
    [InlineData("retinanet")]
    public void SeveralLayers_FuseEachDetectionsMaps_IntoTheNormalisedMeanOfEachLayerAlone(string name)
    {
        string path = Path.Combine(SharedFixtures.RepositoryRoot, "tests", "GradCamSharp.Onnx.Tests", "detection",
            $"{name}_tiny.onnx");
        using LoadedModel model = ModelCatalog.Load(path, new ModelLoadOptions());
        using SKBitmap photo = ImageLoader.Load(SharedFixtures.Sample("dog.jpg"));
        var pipeline = new DetectionPipeline(model);
        var detection = new DetectionOptions { Threshold = 0.2f, MostDetections = 3 };
        ExplainedDetections At(params string[] layers) => pipeline.Explain(photo, new ExplanationSettings
        {
            Methods = ["hirescam"],
            Layer = layers[0],
            Layers = layers.Length > 1 ? layers : [],
        }, detection);

        using ExplainedDetections fine = At(Fine), coarse = At(Coarse), fused = At(ModelLayers.Auto, Coarse);
        Assert.NotEmpty(fused.Found);
        static IEnumerable<(Box, int, float)> Listed(ExplainedDetections d) =>
            d.Found.Select(f => (f.Box, f.ClassIndex, f.Score));
        Assert.Equal(Listed(fine), Listed(fused));
        for (int k = 0; k < fused.Found.Count; k++)
        {
            RenderedMap map = fused.Targets[k].Maps.Single();
            // auto is the fine map here: the last one every detection depends on.
            Assert.Equal($"{Fine}+{Coarse}", map.Explanation.Layer);
            float[] mean = [.. fine.Targets[k].Maps.Single().Values!.Values
                .Zip(coarse.Targets[k].Maps.Single().Values!.Values, (x, y) => (x + y) / 2)];
            float[] actual = map.Values!.Values;
            // Both sides are the same linear resampling of the model-sized maps: equal once scaled to a peak of 1.
            Assert.Equal(mean.Length, actual.Length);
            float meanPeak = mean.Max(), actualPeak = actual.Max();
            Assert.True(meanPeak > 0, $"detection {k + 1} has a blank map at both layers");
            for (int i = 0; i < mean.Length; i++)
            {
                Assert.True(Math.Abs(mean[i] / meanPeak - actual[i] / actualPeak) < 1e-4,
                    $"detection {k + 1}, pixel {i}");
            }
        }
    }
}
