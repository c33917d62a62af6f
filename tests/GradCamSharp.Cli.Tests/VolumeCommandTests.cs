using System.Text.Json;
using GradCamSharp.Imaging;
using GradCamSharp.Maps;
using GradCamSharp.Scenes;
using SkiaSharp;

namespace GradCamSharp.Cli.Tests;

/// <summary>
/// Volumes from the command line: <c>scenes --world volumes</c> writes them, <c>explain</c> writes a volume map and a
/// panel of slices per class and method, <c>train volume</c> and <c>evaluate --task volume</c> run end to end.
/// </summary>
public sealed class VolumeCommandTests
{
    private static JsonElement[] Entries(string folder, string name = "explanations.json") =>
        [.. JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, name))).RootElement.EnumerateArray()];

    [Fact]
    public void WrittenVolumes_AreExplained_AsVolumeMapsAndSlicePanels_InsideTheNamedSolid()
    {
        using var folder = new TempFolder();
        CliRun scenes = CliRun.Of("scenes", "--world", "volumes", "--count", "2", "--seed", "4321", "--out",
            folder["volumes"]);
        Assert.True(scenes.ExitCode == 0, scenes.Error);
        JsonElement[] written = Entries(folder["volumes"], "volumes.json");
        Assert.Equal(2, written.Length);
        // The labels written are the world's own.
        (_, float[] labels) = NpyFile.LoadArray(Path.Combine(folder["volumes"], "volume_00000_labels.npy"));
        VolumeScene truth = VolumeWorld.Generate(4321, 0);
        Assert.Equal(truth.Labels.Select(l => (float)l), labels);

        string volume = Path.Combine(folder["volumes"], "volume_00000.npy");
        string kind = truth.Objects[0].Kind;
        CliRun run = CliRun.Of("explain", volume, "--model", "volumes-cnn", "--class", kind, "--method", "gradcam",
            "--method", "layercam", "--out", folder["out"]);
        Assert.True(run.ExitCode == 0, run.Error);
        Assert.Contains("layer 'auto' is /relu4/Relu_output_0", run.Error);
        JsonElement[] entries = Entries(folder["out"]);
        Assert.Equal(["gradcam", "layercam"], entries.Select(e => e.GetProperty("method").GetString()));
        foreach (JsonElement entry in entries)
        {
            Assert.Equal(kind, entry.GetProperty("class_label").GetString());
            (int[] shape, float[] map) = NpyFile.LoadArray(Path.Combine(folder["out"],
                entry.GetProperty("map_file").GetString()!));
            Assert.Equal([32, 32, 32], shape);
            Assert.InRange(map.Max(), 0.999f, 1f);
            int[] peak = [.. entry.GetProperty("peak").EnumerateArray().Select(p => p.GetInt32())];
            Assert.Equal(map.Max(), map[(peak[2] * 32 + peak[1]) * 32 + peak[0]]);
            Assert.True(truth.IsOf((peak[2] * 32 + peak[1]) * 32 + peak[0], VolumeWorld.ClassIndex(kind)),
                $"{entry.GetProperty("method")} peaks at {string.Join(",", peak)}, outside every {kind}");
            using SKBitmap panel = SKBitmap.Decode(Path.Combine(folder["out"], entry.GetProperty("file").GetString()!));
            Assert.True(panel.Width > 3 * panel.Height / 2, "three slices side by side");
        }
    }

    [Fact]
    public void Layers_OfAVolumeModel_AreListedForAVolume_WithTheAutomaticOneMarked()
    {
        CliRun run = CliRun.Of("layers", "--model", "volumes-cnn");
        Assert.True(run.ExitCode == 0, run.Error);
        Assert.Contains("* /relu4/Relu_output_0", run.Output);
        Assert.Contains("[1, 32, 8, 8, 8]", run.Output);
    }

    [Fact]
    public void PhotosAndVolumesTogether_ImageMethods_AndPhotoOptions_AreRefused()
    {
        using var folder = new TempFolder();
        NpyFile.Save(new VolumeMap(32, 32, 32, new float[32 * 32 * 32]), folder["v.npy"]);
        var cases = new[]
        {
            (new[] { "explain", folder["v.npy"], SharedFixtures.Sample("dog.jpg") }, "not both"),
            (["explain", folder["v.npy"], "--model", "volumes-cnn", "--method", "guided-backprop"], "volumes"),
            (["explain", folder["v.npy"], "--model", "volumes-cnn", "--region", "0,0,4,4"], "for photos"),
            (["explain", folder["v.npy"], "--model", "default"], "expects its input"),
        };
        foreach ((string[] arguments, string reason) in cases)
        {
            CliRun run = CliRun.Of([.. arguments, "--out", folder["out"]]);
            Assert.True(run.ExitCode == 2, $"{string.Join(" ", arguments)}: exit {run.ExitCode} {run.Error}");
            Assert.Contains(reason, run.Error);
        }
        Assert.False(Directory.Exists(folder["out"]) && Directory.EnumerateFiles(folder["out"]).Any());
    }

    [Fact]
    public void TrainVolume_WritesAModel_ThatEvaluateMeasures()
    {
        using var folder = new TempFolder();
        string model = folder["tiny.onnx"];
        CliRun train = CliRun.Of("train", "volume", "--scenes", "32", "--epochs", "1", "--out", model);
        Assert.True(train.ExitCode == 0, train.Error);
        Assert.Contains("epoch 1/1", train.Error);
        Assert.False(File.Exists(model + ".partial"));

        File.WriteAllLines(folder["labels.txt"], VolumeWorld.ClassNames);
        CliRun evaluate = CliRun.Of("evaluate", "--task", "volume", "--model", model, "--labels", folder["labels.txt"],
            "--scenes", "3", "--seed", "99", "--method", "gradcam");
        Assert.True(evaluate.ExitCode == 0, evaluate.Error);
        Assert.Contains("3 held-out volumes", evaluate.Output);
        Assert.Contains("gradcam", evaluate.Output);
    }
}
