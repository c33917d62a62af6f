using System.Text.Json;

namespace GradCamSharp.Cli.Tests;

/// <summary>A transformer's token layer, asked for by name, is explained with nothing to configure.</summary>
public sealed class TransformerCommandTests
{
    [Fact]
    public void Explain_AtATokenLayer_WritesMapsAndTheGridInTheManifest()
    {
        using var folder = new TempFolder();
        float[] head = Enumerable.Range(0, TransformerGraphs.Classes * TransformerGraphs.Channels)
            .Select(i => (i % 5 - 2) / 4f).ToArray();
        string model = TransformerGraphs.MiniVit(head).Save(folder["vit.onnx"]);

        CliRun run = CliRun.Of("explain", Path.Combine(CliRun.Samples, "dog.jpg"), "--model", model,
            "--layer", "tokens", "--method", "gradcam,layercam", "--out", folder["out"], "--quiet");

        Assert.Equal(0, run.ExitCode);
        CliRun layers = CliRun.Of("layers", "--model", model);
        Assert.Equal(0, layers.ExitCode);
        // The automatic layer is the token layer, not the patch embedding before it.
        Assert.Contains(layers.Output.Split('\n'), line => line.StartsWith("* tokens", StringComparison.Ordinal)
            && line.Contains("785"));
        using JsonDocument manifest = JsonDocument.Parse(File.ReadAllText(folder["out/explanations.json"]));
        JsonElement[] entries = [.. manifest.RootElement.EnumerateArray()];
        Assert.Equal(2, entries.Length);
        foreach (JsonElement entry in entries)
        {
            // 224x224 input, 8x8 patches: 28x28 patch tokens behind one class token.
            JsonElement tokens = entry.GetProperty("tokens");
            Assert.Equal([28, 28], tokens.GetProperty("grid").EnumerateArray().Select(v => v.GetInt32()));
            Assert.Equal(1, tokens.GetProperty("skipped").GetInt32());
            Assert.Equal("tokens", entry.GetProperty("layer").GetString());
        }
    }

    [Fact]
    public void Explain_WithPatchesThatAreNotSquare_AsksForTheGrid_AndUsesTheOneGiven()
    {
        using var folder = new TempFolder();
        float[] head = Enumerable.Range(0, TransformerGraphs.Classes * TransformerGraphs.Channels)
            .Select(i => (i % 3 - 1) / 2f).ToArray();
        string model = TransformerGraphs.MiniVit(head, patchWidth: 4).Save(folder["vit.onnx"]);
        string[] explain = ["explain", Path.Combine(CliRun.Samples, "dog.jpg"), "--model", model, "--layer", "tokens",
            "--quiet"];

        CliRun refused = CliRun.Of([.. explain, "--out", folder["refused"]]);
        Assert.Equal(ExitCodes.Usage, refused.ExitCode);
        Assert.Contains("--token-grid HxW and --skip-tokens K", refused.Error);

        // 224x224 input, 8x4 patches: 28 rows of 56 patch tokens behind one class token.
        CliRun given = CliRun.Of([.. explain, "--token-grid", "28x56", "--skip-tokens", "1", "--out", folder["out"]]);
        Assert.Equal(ExitCodes.Success, given.ExitCode);
        using JsonDocument manifest = JsonDocument.Parse(File.ReadAllText(folder["out/explanations.json"]));
        JsonElement tokens = manifest.RootElement[0].GetProperty("tokens");
        Assert.Equal([28, 56], tokens.GetProperty("grid").EnumerateArray().Select(v => v.GetInt32()));
        Assert.Equal(ExitCodes.Usage, CliRun.Of([.. explain, "--skip-tokens", "1", "--out", folder["x"]]).ExitCode);
    }

    [Fact]
    public void EvaluateClassify_AtSeveralLayers_ScoresEachMethodAtEach_AndOtherTasksRefuseTheList()
    {
        CliRun run = CliRun.Of("evaluate", "--task", "classify", "--model", "shapes-swin", "--scenes", "3", "--seed",
            "4242", "--method", "gradcam", "--layer", "auto, blocks.3.norm1,blocks.3.norm2", "--json");

        Assert.True(run.ExitCode == 0, run.Error);
        using JsonDocument report = JsonDocument.Parse(run.Output);
        JsonElement[] scores = [.. report.RootElement.GetProperty("localisation").EnumerateArray()];
        // auto reads as the layer it found: the final norm, which the Swin's head pools.
        Assert.Equal(["/norm/LayerNormalization_output_0", "blocks.3.norm1", "blocks.3.norm2"],
            scores.Select(s => s.GetProperty("layer").GetString()));
        Assert.All(scores, s => Assert.True(s.GetProperty("targets").GetInt32() > 0));
        CliRun refused = CliRun.Of("evaluate", "--task", "segment", "--layer", "auto,backbone", "--scenes", "1",
            "--seed", "4242");
        Assert.Equal(ExitCodes.Usage, refused.ExitCode);
        Assert.Contains("--task classify", refused.Error);
    }
}
