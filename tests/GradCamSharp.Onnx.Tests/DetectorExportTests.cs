using System.Text.Json;
using GradCamSharp.Methods;
using GradCamSharp.Models;
using GradCamSharp.Targets;
using TorchSharp;
using static TorchSharp.torch;

namespace GradCamSharp.Onnx.Tests;

/// <summary>
/// torchvision's detectors exported whole (detection/make_detectors.py: SSD, RetinaNet and Faster R-CNN in miniature,
/// post-processing included): the import runs their NonZero, TopK, GatherND, NonMaxSuppression, If, RoiAlign and
/// ScatterElements to PyTorch's own detections, and a detection's Grad-CAM equals the pytorch-grad-cam library's for
/// its Faster R-CNN target on the same weights.
/// </summary>
public sealed class DetectorExportTests
{
    public static TheoryData<string> Detectors => new() { "ssd", "retinanet", "fasterrcnn" };

    private static string Fixture(string name) => PyTorchReferences.Fixture("detection", name);

    /// <summary>make_detectors.py's input: a smooth pattern with two bright squares.</summary>
    private static Tensor Input()
    {
        Tensor c = arange(3.0).reshape(3, 1, 1), h = arange(64.0).reshape(1, 64, 1), w = arange(64.0).reshape(1, 1, 64);
        Tensor x = 0.5 + 0.2 * sin(0.2 * (c + 1) * h) * cos(0.15 * w);
        x[.., 10..26, 8..24] = tensor(0.95);
        x[0, 34..54, 36..56] = tensor(0.1);
        return x.to(ScalarType.Float32).unsqueeze(0);
    }

    [Theory]
    [MemberData(nameof(Detectors))]
    public void TheWholeExport_ListsPyTorchsDetections(string name)
    {
        using DisposeScope scope = NewDisposeScope();
        using JsonDocument golden = JsonDocument.Parse(File.ReadAllText(Fixture($"{name}_tiny.json")));
        using var model = new OnnxExplainableModel(OnnxModule.Load(Fixture($"{name}_tiny.onnx")));
        Assert.NotNull(model.Detections);
        Tensor rows;
        using (no_grad()) rows = model.Forward(Input(), ForwardTaps.None)[0];
        JsonElement root = golden.RootElement;
        float[] scores = PyTorchReferences.Floats(root.GetProperty("scores"));
        Assert.Equal(scores.Length, (int)rows.shape[0]);
        Assert.True(scores.Length >= 4, $"{name}: {scores.Length} detections");
        for (int d = 0; d < scores.Length; d++)
        {
            float[] box = PyTorchReferences.Floats(root.GetProperty("boxes")[d]);
            float[] mine = rows[d].data<float>().ToArray();
            Assert.Equal(root.GetProperty("labels")[d].GetInt32(), (int)mine[BoxList.LabelColumn]);
            Assert.Equal(scores[d], mine[BoxList.ScoreColumn], 4);
            for (int k = 0; k < 4; k++) Assert.True(Math.Abs(box[k] - mine[k]) < 2e-3, $"{name} box {d}: {k}");
        }
    }

    [Theory]
    [MemberData(nameof(Detectors))]
    public void ADetectionsMaps_AtTheBackbone_EqualThePytorchGradCamLibrarys(string name)
    {
        using DisposeScope scope = NewDisposeScope();
        using JsonDocument golden = JsonDocument.Parse(File.ReadAllText(Fixture($"{name}_tiny.json")));
        using var model = new OnnxExplainableModel(OnnxModule.Load(Fixture($"{name}_tiny.onnx")));
        Tensor input = Input();
        // The backbone's last map that every detection depends on: layer2 feeds only the coarser level, so a
        // detection of the finer one has no gradient there (PyTorch's own maps at layer2 are blank for SSD's and
        // Faster R-CNN's first detection); not a head's map, not RoiAlign's regions.
        Assert.Equal("/backbone/layer1/layer1.1/Relu_output_0", ModelLayers.Resolve(model, ModelLayers.Auto, input));
        JsonElement root = golden.RootElement;
        float[] box = PyTorchReferences.Floats(root.GetProperty("target_box"));
        var target = new BoxScoreTarget(root.GetProperty("target_label").GetInt32(), box[0], box[1], box[2], box[3]);
        var methods = new Dictionary<string, CamMethod>
        {
            ["gradcam"] = new GradCam(model), ["hirescam"] = new HiResCam(model), ["layercam"] = new LayerCam(model),
        };
        foreach ((string method, CamMethod cam) in methods)
        {
            Explanation explanation = cam.Explain(input, target).Single();
            float[] theirs = PyTorchReferences.Floats(root.GetProperty("maps").GetProperty(method));
            float[] ours = explanation.Heatmap.Values;
            Assert.True(theirs.Max() > 0, $"{name} {method}: the reference map is blank");
            double correlation = Tolerance.Correlation(theirs, ours);
            Assert.True(correlation >= 0.999, $"{name} {method}: correlation {correlation}");
            Assert.True(theirs.Zip(ours).Max(p => Math.Abs(p.First - p.Second)) < 2e-3, $"{name} {method}");
            // The score explained is the library's: the matching box's IoU plus its score.
            Assert.Equal(root.GetProperty("target_score").GetSingle(), explanation.Score, 4);
        }
    }
}
