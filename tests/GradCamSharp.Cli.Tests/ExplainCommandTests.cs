using System.Text.Json;

namespace GradCamSharp.Cli.Tests;

public sealed class ExplainCommandTests
{
    // TorchVision's resnet18 with random weights: fast, and enough to exercise every path of the command.
    private const string Model = "resnet18";

    private static string Dog => Path.Combine(CliRun.Samples, "dog.jpg");

    private static void AssertOneCleanLine(CliRun run, int exitCode, string expected)
    {
        Assert.Equal(exitCode, run.ExitCode);
        string[] lines = run.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        string failure =
            Assert.Single(lines, line => line.StartsWith("gradcam: ", StringComparison.Ordinal)
                && !line.StartsWith("gradcam: note:", StringComparison.Ordinal));
        Assert.Contains(expected, failure);
        Assert.DoesNotContain("   at ", run.Error);
    }

    [Fact]
    public void SaveMaps_WritesEachMapsValuesAsNpy_AtThePhotosSize()
    {
        using var folder = new TempFolder();
        CliRun run = CliRun.Of("explain", Dog, "--class", "dog", "--method", "gradcam", "--method", "guided-backprop",
            "--save-maps", "--out", folder.Path, "--quiet");

        Assert.True(run.ExitCode == 0, run.Error);
        using JsonDocument manifest = JsonDocument.Parse(File.ReadAllText(folder["explanations.json"]));
        JsonElement[] entries = manifest.RootElement.EnumerateArray().ToArray();
        Assert.Equal(2, entries.Length);
        foreach (JsonElement entry in entries)
        {
            string file = entry.GetProperty("map_file").GetString()!;
            Assert.EndsWith(".npy", file);
            GradCamSharp.Maps.Heatmap map = Imaging.NpyFile.Load(folder[file]);
            Assert.Equal((768, 576), (map.Width, map.Height));
            if (entry.GetProperty("method").GetString() == "gradcam")
            {
                // The saved values are the map whose peak the manifest reports.
                Assert.Equal(entry.GetProperty("peak").EnumerateArray().Select(v => v.GetInt32()),
                    [map.Peak.X, map.Peak.Y]);
            }
        }
        CliRun without = CliRun.Of("explain", Dog, "--class", "dog", "--out", folder["plain"], "--quiet", "--json");
        Assert.DoesNotContain("map_file", without.Output);
    }

    [Fact]
    public void Explain_AllMethods_WritesMapsPanelAndManifest()
    {
        using var folder = new TempFolder();
        CliRun run = CliRun.Of("explain", Dog, "--model", Model, "--method", "all", "--top", "2", "--out", folder.Path,
            "--json");

        Assert.Equal(0, run.ExitCode);
        using JsonDocument printed = JsonDocument.Parse(run.Output);
        using JsonDocument manifest = JsonDocument.Parse(File.ReadAllText(folder["explanations.json"]));
        Assert.Equal(printed.RootElement.GetRawText(), manifest.RootElement.GetRawText());
        JsonElement[] entries = manifest.RootElement.EnumerateArray().ToArray();
        Assert.Equal(8, entries.Length);
        Assert.Equal(["gradcam", "guided-backprop", "guided-gradcam", "counterfactual"],
            entries.Take(4).Select(e => e.GetProperty("method").GetString()));
        foreach (JsonElement entry in entries)
        {
            Assert.True(File.Exists(folder[entry.GetProperty("file").GetString()!]));
            int[] peak = entry.GetProperty("peak").EnumerateArray().Select(v => v.GetInt32()).ToArray();
            Assert.InRange(peak[0], 0, 767);
            Assert.InRange(peak[1], 0, 575);
            Assert.False(string.IsNullOrEmpty(entry.GetProperty("class_label").GetString()));
        }
        Assert.Equal(2, Directory.GetFiles(folder.Path, "*_panel.png").Length);
        Assert.Empty(Directory.GetDirectories(folder.Path));
        Assert.Contains("[1/1]", run.Error);
    }

    [Fact]
    public void Explain_MissingImage_ExitsWithInputErrorAndWritesNothing()
    {
        using var folder = new TempFolder();
        string output = folder["out"];
        CliRun run = CliRun.Of("explain", Dog, folder["missing.jpg"], "--model", Model, "--out", output);
        AssertOneCleanLine(run, 3, "not found");
        Assert.False(Directory.Exists(output) && Directory.EnumerateFileSystemEntries(output).Any());
    }

    [Fact]
    public void Explain_CorruptImage_ExitsWithInputErrorAndWritesNothing()
    {
        using var folder = new TempFolder();
        File.WriteAllBytes(folder["corrupt.jpg"], [0xFF, 0xD8, 0x00, 0x13, 0x37, 0x42]);
        string output = folder["out"];
        CliRun run = CliRun.Of("explain", Dog, folder["corrupt.jpg"], "--model", Model, "--out", output);
        AssertOneCleanLine(run, 3, "corrupt.jpg");
        Assert.False(Directory.Exists(output) && Directory.EnumerateFileSystemEntries(output).Any());
    }

    [Fact]
    public void Explain_UnreadableModel_ExitsWithInputError()
    {
        using var folder = new TempFolder();
        File.WriteAllText(folder["resnet18.pth"], "this is not a checkpoint");
        AssertOneCleanLine(CliRun.Of("explain", Dog, "--model", folder["resnet18.pth"], "--out", folder["out"]), 3,
            "cannot load");
        AssertOneCleanLine(CliRun.Of("explain", Dog, "--model", folder["absent.pth"], "--out", folder["out"]), 3,
            "not found");
        AssertOneCleanLine(CliRun.Of("explain", Dog, "--model", "no-such-model", "--out", folder["out"]), 3,
            "not found");
    }

    [Fact]
    public void Explain_UnknownLayer_NamesTheClosestLayers()
    {
        using var folder = new TempFolder();
        CliRun run = CliRun.Of("explain", Dog, "--model", Model, "--layer", "layer5", "--out", folder["out"]);
        AssertOneCleanLine(run, 2, "unknown layer 'layer5'");
        Assert.Contains("layer4", run.Error);
        Assert.False(Directory.Exists(folder["out"]) && Directory.EnumerateFileSystemEntries(folder["out"]).Any());
    }

    [Fact]
    public void Explain_ClassOutOfRange_SaysTheRange()
    {
        using var folder = new TempFolder();
        AssertOneCleanLine(CliRun.Of("explain", Dog, "--model", Model, "--class", "1000", "--out", folder["out"]), 2,
            "out of range");
        AssertOneCleanLine(CliRun.Of("explain", Dog, "--model", Model, "--class", "no such class", "--out",
            folder["out"]), 2, "unknown class");
    }

    [Fact]
    public void Explain_UnwritableOutputFolder_ExitsWithOutputError()
    {
        using var folder = new TempFolder();
        File.WriteAllText(folder["file"], "a file where a folder should be");
        AssertOneCleanLine(CliRun.Of("explain", Dog, "--model", Model, "--out", Path.Combine(folder["file"], "out")),
            4, "cannot write");
    }

    [Fact]
    public void Explain_BadOptionValues_AreUsageErrors()
    {
        using var folder = new TempFolder();
        AssertOneCleanLine(CliRun.Of("explain", Dog, "--model", Model, "--method", "magic", "--out", folder["out"]), 2,
            "unknown method 'magic'");
        AssertOneCleanLine(CliRun.Of("explain", Dog, "--model", Model, "--colormap", "rainbow", "--out",
            folder["out"]), 2, "unknown colormap");
        CliRun parse = CliRun.Of("explain", Dog, "--frobnicate");
        Assert.Equal(2, parse.ExitCode);
        Assert.Contains("--frobnicate", parse.Error);
    }

    [Fact]
    public void Help_ShowsExamplesAndExitCodes()
    {
        CliRun root = CliRun.Of("--help");
        Assert.Equal(0, root.ExitCode);
        Assert.Contains("Exit codes", root.Output);
        CliRun explain = CliRun.Of("explain", "--help");
        Assert.Contains("gradcam explain samples/dog.jpg", explain.Output);
    }
}
