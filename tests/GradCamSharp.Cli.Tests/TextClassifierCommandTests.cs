using System.Text.Json;

namespace GradCamSharp.Cli.Tests;

/// <summary>
/// A complete classifier brought by the user: PaddleOCR's text-orientation model, explained from the command line.
/// </summary>
public sealed class TextClassifierCommandTests
{
    [SkippableFact]
    public void Explain_TextLines_WithUserModelLabelsAndPreset_ExplainsBothOrientations()
    {
        string model = SharedFixtures.Require("fixtures/onnx/text_orientation_ppocr_cls.onnx");
        using var folder = new TempFolder();
        File.WriteAllLines(folder["labels.txt"], ["0", "180"]);
        string upright = Path.Combine(CliRun.Samples, "text", "textline_upright.png");
        string rotated = Path.Combine(CliRun.Samples, "text", "textline_rotated180.png");

        CliRun run = CliRun.Of("explain", upright, rotated, "--model", model, "--labels", folder["labels.txt"],
            "--preprocess", "ppocr-textline", "--class", "0", "--class", "180", "--out", folder["out"]);

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("the logits before the final Softmax", run.Error);
        using JsonDocument manifest =
            JsonDocument.Parse(File.ReadAllText(Path.Combine(folder["out"], "explanations.json")));
        var scores = manifest.RootElement.EnumerateArray().ToDictionary(
            e => (Path.GetFileName(e.GetProperty("image").GetString()!), e.GetProperty("class_label").GetString()!),
            e => e.GetProperty("score").GetSingle());
        Assert.True(scores[("textline_upright.png", "0")] > scores[("textline_upright.png", "180")]);
        Assert.True(scores[("textline_rotated180.png", "180")] > scores[("textline_rotated180.png", "0")]);
        Assert.True(File.Exists(Path.Combine(folder["out"], "textline_rotated180_180_gradcam.png")));
    }
}
