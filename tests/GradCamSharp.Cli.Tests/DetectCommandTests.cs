using System.Text.Json;
using SkiaSharp;

namespace GradCamSharp.Cli.Tests;

/// <summary>
/// <c>gradcam detect</c> on the shipped shape-world detector, against the exact boxes <c>gradcam scenes</c> writes;
/// <c>train detector</c> and <c>evaluate --task detect</c> end to end.
/// </summary>
public sealed class DetectCommandTests
{
    [Fact]
    public void Detections_AreTheScenesObjects_EachExplainedInsideItsBox()
    {
        using var folder = new TempFolder();
        CliRun scenes = CliRun.Of("scenes", "--world", "shapes", "--count", "2", "--seed", "8642", "--out",
            folder["scenes"]);
        Assert.True(scenes.ExitCode == 0, scenes.Error);
        JsonElement[] truth = [.. JsonDocument.Parse(File.ReadAllText(Path.Combine(folder["scenes"], "scenes.json")))
            .RootElement.EnumerateArray()];
        string[] photos = [.. Enumerable.Range(0, 2).Select(i => Path.Combine(folder["scenes"], $"scene_{i:D5}.png"))];

        CliRun run = CliRun.Of(["detect", .. photos, "--model", "shapes-detector", "--method", "hirescam,layercam",
            "--out", folder["out"]]);
        Assert.True(run.ExitCode == 0, run.Error);
        Assert.Contains("layer 'auto' is /backbone/relu4/Relu_output_0", run.Error);
        JsonElement[] entries = [.. JsonDocument.Parse(File.ReadAllText(Path.Combine(folder["out"],
            "explanations.json"))).RootElement.EnumerateArray()];
        Assert.NotEmpty(entries);
        int found = 0, pointed = 0;
        foreach (JsonElement entry in entries)
        {
            int scene = Array.IndexOf(photos, entry.GetProperty("image").GetString());
            int[] box = [.. entry.GetProperty("box").EnumerateArray().Select(v => v.GetInt32())];
            string label = entry.GetProperty("class_label").GetString()!;
            // A detection is one of the scene's objects: its pair, its box within a few pixels.
            bool isAnObject = truth[scene].GetProperty("objects").EnumerateArray().Any(o =>
                $"{o.GetProperty("color").GetString()} {o.GetProperty("label").GetString()}" == label
                && o.GetProperty("box").EnumerateArray().Select(v => v.GetInt32()).Zip(box)
                    .All(p => Math.Abs(p.First - p.Second) <= 6));
            if (isAnObject) found++;
            if (entry.GetProperty("peak_in_box").GetBoolean()) pointed++;
            Assert.True(File.Exists(Path.Combine(folder["out"], entry.GetProperty("file").GetString()!)));
        }
        Assert.True(found >= entries.Length - 1, $"{found} of {entries.Length} detections are objects");
        Assert.True(pointed >= entries.Length - 2, $"{pointed} of {entries.Length} maps peak in their box");
        string panelFile = Path.Combine(folder["out"], entries[0].GetProperty("panel").GetString()!);
        using SKBitmap panel = SKBitmap.Decode(panelFile);
        Assert.NotNull(panel);

        // A folder stands for every photo in it (masks too): the scenes' detections are those named one by one.
        CliRun fromFolder = CliRun.Of("detect", folder["scenes"], "--model", "shapes-detector", "--method",
            "hirescam,layercam", "--out", folder["from-folder"], "--quiet");
        Assert.True(fromFolder.ExitCode == 0, fromFolder.Error);
        static string Key(JsonElement entry) => $"{Path.GetFileName(entry.GetProperty("image").GetString())} " +
            $"{entry.GetProperty("method").GetString()} {entry.GetProperty("box")} {entry.GetProperty("peak")}";
        JsonElement[] folderEntries = [.. JsonDocument.Parse(File.ReadAllText(Path.Combine(folder["from-folder"],
            "explanations.json"))).RootElement.EnumerateArray()];
        Assert.Subset(folderEntries.Select(Key).ToHashSet(), entries.Select(Key).ToHashSet());

        CliRun classes = CliRun.Of("detect", photos[0], "--model", "shapes-detector", "--class", "0", "--out",
            folder["refused"]);
        Assert.Equal(2, classes.ExitCode);
        Assert.Contains("unrecognized option '--class'", classes.Error);
        CliRun notADetector = CliRun.Of("detect", photos[0], "--model", "shapes-cnn", "--out", folder["refused"]);
        Assert.Equal(2, notADetector.ExitCode);
        Assert.Contains("is no detector", notADetector.Error);
        Assert.Equal(2, CliRun.Of("detect", photos[0], "--threshold", "1.5", "--out", folder["refused"]).ExitCode);
    }

    [Theory]
    [InlineData("ssd")]
    [InlineData("fasterrcnn")]
    public void ATorchvisionExport_IsDetectedWhole_AndEachDetectionExplained(string name)
    {
        using var folder = new TempFolder();
        string model = Path.Combine(SharedFixtures.RepositoryRoot, "tests", "GradCamSharp.Onnx.Tests", "detection",
            $"{name}_tiny.onnx");
        CliRun run = CliRun.Of("detect", Path.Combine(CliRun.Samples, "dog.jpg"), "--model",
            model, "--threshold", "0.2", "--method", "hirescam,eigencam", "--out", folder["out"]);
        Assert.True(run.ExitCode == 0, run.Error);
        // The backbone's last map that every detection depends on (make_detectors.py says why).
        Assert.Contains("layer 'auto' is /backbone/layer1/layer1.1/Relu_output_0", run.Error);
        JsonElement[] entries = [.. JsonDocument.Parse(File.ReadAllText(Path.Combine(folder["out"],
            "explanations.json"))).RootElement.EnumerateArray()];
        Assert.True(entries.Length >= 4, $"{entries.Length} entries");
        Assert.Equal(entries.Length / 2, entries.Select(e => e.GetProperty("detection").GetInt32()).Distinct().Count());
        foreach (JsonElement entry in entries)
        {
            // A listed detection has no cell; its score is the matching box's IoU (1: itself) plus its score.
            Assert.False(entry.TryGetProperty("cell", out JsonElement cell) && cell.ValueKind != JsonValueKind.Null);
            Assert.Equal("IoU + score of the matching box", entry.GetProperty("score_kind").GetString());
            float score = entry.GetProperty("detection_score").GetSingle();
            if (entry.GetProperty("method").GetString() == "hirescam")
                Assert.InRange(entry.GetProperty("score").GetSingle() - (1 + score), -0.01f, 0.01f);
            Assert.True(File.Exists(Path.Combine(folder["out"], entry.GetProperty("file").GetString()!)));
        }
    }

    [Fact]
    public void SeveralLayers_AreFused_AndAutoNamesTheMapItStoodFor()
    {
        using var folder = new TempFolder();
        string model = Path.Combine(SharedFixtures.RepositoryRoot, "tests", "GradCamSharp.Onnx.Tests", "detection",
            "fasterrcnn_tiny.onnx");
        string[] detect = ["detect", Path.Combine(CliRun.Samples, "dog.jpg"), "--model", model, "--threshold", "0.2",
            "--method", "hirescam,guided-backprop", "--layer", "auto", "--layer", "backbone.layer2"];
        CliRun run = CliRun.Of([.. detect, "--layer-fusion", "scaled-sum", "--out", folder["out"]]);

        Assert.True(run.ExitCode == 0, run.Error);
        // auto is one map of the two, said once: not the fused pair, nor the input of the layer-free method.
        Assert.Single(run.Error.Split('\n'), line => line.Contains("layer 'auto'"));
        Assert.Contains("layer 'auto' is /backbone/layer1/layer1.1/Relu_output_0", run.Error);
        JsonElement[] entries = [.. JsonDocument.Parse(File.ReadAllText(Path.Combine(folder["out"],
            "explanations.json"))).RootElement.EnumerateArray()];
        Assert.NotEmpty(entries);
        Assert.All(entries.Where(e => e.GetProperty("method").GetString() == "hirescam"), e => Assert.Equal(
            "/backbone/layer1/layer1.1/Relu_output_0+/backbone/layer2/layer2.1/Relu_output_0",
            e.GetProperty("layer").GetString()));
        CliRun unknown = CliRun.Of([.. detect, "--layer-fusion", "max", "--out", folder["refused"]]);
        Assert.Equal(ExitCodes.Usage, unknown.ExitCode);
        Assert.Contains("unknown --layer-fusion 'max'", unknown.Error);
    }

    [Fact]
    public void TrainDetector_WritesAModel_ThatEvaluateMeasures()
    {
        using var folder = new TempFolder();
        string model = folder["tiny.onnx"];
        CliRun train = CliRun.Of("train", "detector", "--scenes", "64", "--epochs", "1", "--out", model);
        Assert.True(train.ExitCode == 0, train.Error);
        Assert.Contains("held-out mAP@0.5", train.Output);

        CliRun evaluate = CliRun.Of("evaluate", "--task", "detect", "--model", "shapes-detector", "--scenes", "4",
            "--seed", "99", "--method", "hirescam");
        Assert.True(evaluate.ExitCode == 0, evaluate.Error);
        Assert.Contains("mAP@0.5", evaluate.Output);
        Assert.Contains("hirescam", evaluate.Output);

        // The photo world: composites of the sample photos' objects, photos-detector by default.
        CliRun photos = CliRun.Of("evaluate", "--task", "detect", "--world", "photos", "--scenes", "4", "--seed", "99",
            "--method", "hirescam", "--boxes", Path.Combine(CliRun.Samples, "boxes.json"), "--images", CliRun.Samples);
        Assert.True(photos.ExitCode == 0, photos.Error);
        Assert.Contains("photos-detector on 4 held-out photos scenes", photos.Output);
        CliRun segmenter = CliRun.Of("train", "segmenter", "--world", "photos", "--out", folder["refused.onnx"]);
        Assert.Equal(2, segmenter.ExitCode);
        Assert.Contains("shapes world only", segmenter.Error);
    }
}
