using System.Text.Json;
using SkiaSharp;

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

    [Fact]
    public void AMaskPicture_MarksThePixels_AsTheSameBoxWould_AndAWrongSizeOrABoxBesideItIsRefused()
    {
        using var folder = new TempFolder();
        // dog.jpg is 768x576 and the model reads 64x64: a box of whole input pixels (12 x 9 photo pixels each).
        using (var mask = new SKBitmap(768, 576))
        {
            using var canvas = new SKCanvas(mask);
            canvas.Clear(SKColors.Black);
            using var white = new SKPaint { Color = SKColors.White };
            canvas.DrawRect(0, 0, 240, 288, white);
            Imaging.PngFile.Save(mask, folder["mask.png"]);
        }
        CliRun masked = CliRun.Of("explain", SharedFixtures.Sample("dog.jpg"), "--model", Model, "--class", "1",
            "--mask", folder["mask.png"], "--out", folder["mask"]);
        Assert.True(masked.ExitCode == 0, masked.Error);
        CliRun boxed = CliRun.Of("explain", SharedFixtures.Sample("dog.jpg"), "--model", Model, "--class", "1",
            "--region", "0,0,240,288", "--out", folder["box"]);
        Assert.True(boxed.ExitCode == 0, boxed.Error);
        Assert.Equal(Assert.Single(Entries(folder["box"])).GetProperty("score").GetDouble(),
            Assert.Single(Entries(folder["mask"])).GetProperty("score").GetDouble(), 4);

        using (var small = new SKBitmap(10, 10)) Imaging.PngFile.Save(small, folder["small.png"]);
        CliRun refused = CliRun.Of("explain", SharedFixtures.Sample("dog.jpg"), "--model", Model, "--class", "1",
            "--mask", folder["small.png"], "--out", folder["small"]);
        Assert.Equal(ExitCodes.Usage, refused.ExitCode);
        Assert.Contains("the mask is 10x10 pixels and the photo 768x576", refused.Error);
        CliRun noClass = CliRun.Of("explain", SharedFixtures.Sample("dog.jpg"), "--model", Model, "--mask",
            folder["mask.png"], "--out", folder["none"]);
        Assert.Equal(ExitCodes.Usage, noClass.ExitCode);
        CliRun both = CliRun.Of("explain", SharedFixtures.Sample("dog.jpg"), "--model", Model, "--class", "1",
            "--mask", folder["mask.png"], "--region", "0,0,240,288", "--out", folder["both"]);
        Assert.Equal(ExitCodes.Usage, both.ExitCode);
        Assert.Contains("not both", both.Error);
    }
}
