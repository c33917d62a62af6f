using System.Text.Json;

namespace GradCamSharp.Cli.Tests;

/// <summary>The acceptance command, exactly as a user types it.</summary>
public sealed class DefaultModelCommandTests
{
    [Fact]
    public void ExplainDogPhoto_DogAndBicycle_PeaksInsideTheirBoxes()
    {
        using var folder = new TempFolder();
        CliRun run = CliRun.Of("explain", Path.Combine(CliRun.Samples, "dog.jpg"), "--class", "dog", "--class",
            "bicycle", "--out", folder.Path);
        Assert.Equal(0, run.ExitCode);

        using JsonDocument boxes = JsonDocument.Parse(File.ReadAllText(Path.Combine(CliRun.Samples, "boxes.json")));
        using JsonDocument manifest = JsonDocument.Parse(File.ReadAllText(folder["explanations.json"]));
        JsonElement[] entries = manifest.RootElement.EnumerateArray().ToArray();
        Assert.Equal(["dog", "bicycle"], entries.Select(e => e.GetProperty("class_label").GetString()));
        foreach (JsonElement entry in entries)
        {
            string label = entry.GetProperty("class_label").GetString()!;
            int[] box = boxes.RootElement.GetProperty("dog.jpg").GetProperty(label).EnumerateArray()
                .Select(v => v.GetInt32()).ToArray();
            int[] peak = entry.GetProperty("peak").EnumerateArray().Select(v => v.GetInt32()).ToArray();
            Assert.InRange(peak[0], box[0], box[2] - 1);
            Assert.InRange(peak[1], box[1], box[3] - 1);
            Assert.Equal("ReLU393_Output_0", entry.GetProperty("layer").GetString());
            Assert.Equal("resnet18-everyday", entry.GetProperty("model").GetString());
        }
    }
}
