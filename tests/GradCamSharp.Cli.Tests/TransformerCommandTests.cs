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
}
