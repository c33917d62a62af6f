using System.Text.Json;

namespace GradCamSharp.Cli.Tests;

/// <summary><c>gradcam explain</c> on a semantic segmenter (torchvision's FCN in miniature).</summary>
public sealed class SegmentationCommandTests
{
    private static readonly string Model = Path.Combine(SharedFixtures.RepositoryRoot, "tests",
        "GradCamSharp.Onnx.Tests", "segmentation", "fcn_tiny.onnx");

    private static JsonElement[] Entries(string folder) =>
        [.. JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "explanations.json"))).RootElement
            .EnumerateArray()];

    [Fact]
    public void AClass_IsExplainedOverItsPixels_OrInsideABox_AtTheBackbonesLastBlock()
    {
        using var folder = new TempFolder();
        CliRun own = CliRun.Of("explain", SharedFixtures.Sample("dog.jpg"), "--model", Model, "--class", "1",
            "--class", "3", "--out", folder["own"]);
        Assert.True(own.ExitCode == 0, own.Error);
        Assert.Contains("layer 'auto' is /model/backbone/layer2/layer2.1/Relu_output_0", own.Error);
        JsonElement[] entries = Entries(folder["own"]);
        Assert.Equal([1, 3], entries.Select(e => e.GetProperty("class_index").GetInt32()));
        Assert.All(entries, e => Assert.True(e.GetProperty("score").GetDouble() > 0));

        CliRun boxed = CliRun.Of("explain", SharedFixtures.Sample("dog.jpg"), "--model", Model, "--class", "1",
            "--region", "0,0,80,60", "--out", folder["box"]);
        Assert.True(boxed.ExitCode == 0, boxed.Error);
        JsonElement inBox = Assert.Single(Entries(folder["box"]));
        Assert.Equal(1, inBox.GetProperty("class_index").GetInt32());
        // The class's scores inside a corner of the photo are not those over all of its own pixels.
        Assert.NotEqual(entries[0].GetProperty("score").GetDouble(), inBox.GetProperty("score").GetDouble());
    }
}
