using System.Text.Json;

namespace GradCamSharp.Cli.Tests;

/// <summary><c>gradcam concepts</c>: a picture per concept, the combined picture, the panel and the manifest.</summary>
public sealed class ConceptsCommandTests
{
    [Fact]
    public void Concepts_WritesAPicturePerConceptAndTheManifest()
    {
        using var folder = new TempFolder();
        CliRun run = CliRun.Of("concepts", SharedFixtures.Sample("dog.jpg"), "--k", "3", "--top", "2", "--out",
            folder["out"], "--json", "--quiet");
        Assert.True(run.ExitCode == 0, run.Error);
        string[] files = [.. Directory.GetFiles(folder["out"]).Select(Path.GetFileName)
            .Where(f => !f!.StartsWith(".gradcam-", StringComparison.Ordinal)).Order(StringComparer.Ordinal)!];
        Assert.Equal(["concepts.json", "dog_concept1.png", "dog_concept2.png", "dog_concept3.png", "dog_concepts.png",
            "dog_concepts_panel.png"], files);
        using JsonDocument manifest = JsonDocument.Parse(File.ReadAllText(folder["out/concepts.json"]));
        JsonElement photo = Assert.Single(manifest.RootElement.EnumerateArray().ToArray());
        JsonElement[] concepts = [.. photo.GetProperty("concepts").EnumerateArray()];
        Assert.Equal(3, concepts.Length);
        Assert.All(concepts, c => Assert.Equal(2, c.GetProperty("classes").GetArrayLength()));
        Assert.InRange(photo.GetProperty("relative_error").GetDouble(), 0, 1);
        Assert.Contains("dog.jpg concept 1:", run.Output);
    }

    [Theory]
    [InlineData("--k", "0")]
    [InlineData("--k", "33")]
    [InlineData("--top", "0")]
    public void Concepts_OutOfRangeCounts_AreUsageErrors(string option, string value)
    {
        using var folder = new TempFolder();
        CliRun run = CliRun.Of("concepts", SharedFixtures.Sample("dog.jpg"), option, value, "--out", folder["out"]);
        Assert.Equal(2, run.ExitCode);
        Assert.Contains(option, run.Error);
    }
}
