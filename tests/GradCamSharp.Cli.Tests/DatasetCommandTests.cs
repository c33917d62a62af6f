using System.Diagnostics;
using System.Text.Json;
using GradCamSharp.Pipeline.Datasets;

namespace GradCamSharp.Cli.Tests;

/// <summary>
/// <c>explain</c> on a folder or a list, as a scheduler runs it: separate processes, killed without warning,
/// started again, sharded and merged.
/// </summary>
public sealed class DatasetCommandTests : IDisposable
{
    /// <summary>Random weights, drawn in each process: fast, where only the machinery is under test.</summary>
    private const string Model = "resnet18";

    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void AFolderWithATruncatedPhoto_IsExplained_WithTheTruncatedOneInFailures()
    {
        string input = Photos(6);
        byte[] whole = File.ReadAllBytes(Path.Combine(CliRun.Samples, "giraffe.jpg"));
        File.WriteAllBytes(Path.Combine(input, "b", "cut.jpg"), whole[..(whole.Length / 3)]);
        File.WriteAllText(Path.Combine(input, "README.txt"), "not a photo");

        CliRun run = CliRun.Of("explain", input, "--model", Model, "--out", _folder["out"]);

        Assert.Equal(ExitCodes.SomeFailed, run.ExitCode);
        Assert.Contains("7 photo(s), 1 other file(s) skipped", run.Error);
        JsonElement failure = Assert.Single(Lines(_folder["out"], DatasetRun.FailuresName));
        Assert.Equal("b/cut.jpg", failure.GetProperty("image").GetString());
        Assert.Equal(ExitCodes.Input, failure.GetProperty("exit_code").GetInt32());
        Assert.Contains("truncated", failure.GetProperty("reason").GetString());
        JsonElement[] lines = Lines(_folder["out"], DatasetRun.ManifestName);
        Assert.Equal(6, lines.Length);
        foreach (JsonElement line in lines)
        {
            string image = line.GetProperty("image").GetString()!;
            string file = line.GetProperty("file").GetString()!;
            Assert.Equal(Path.GetDirectoryName(image), Path.GetDirectoryName(file));
            Assert.True(File.Exists(Path.Combine(_folder["out"], file)), file);
        }
    }

    [Fact]
    public void ARunKilledWithoutWarning_ResumesTo_EveryPhotoExactlyOnce()
    {
        string input = Photos(40);
        string output = _folder["out"];
        using (Process process = Start(["explain", input, "--model", Model, "--method", "gradcam,hirescam", "--out",
            output], []))
        {
            string manifest = Path.Combine(output, DatasetRun.ManifestName);
            var waited = Stopwatch.StartNew();
            while (!(File.Exists(manifest) && File.ReadAllLines(manifest).Length >= 6) && !process.HasExited
                && waited.Elapsed < TimeSpan.FromMinutes(3))
                Thread.Sleep(20);
            Assert.False(process.HasExited, "the run ended before it could be killed");
            process.Kill();
            process.WaitForExit();
        }
        int before = Lines(output, DatasetRun.ManifestName).Length / 2;
        Assert.InRange(before, 3, 39);

        CliRun resumed = CliRun.Of("explain", input, "--model", Model, "--method", "gradcam,hirescam", "--out", output);

        Assert.Equal(ExitCodes.Success, resumed.ExitCode);
        Assert.Contains($"{before} already done", resumed.Error);
        var perPhoto = Lines(output, DatasetRun.ManifestName).GroupBy(l => l.GetProperty("image").GetString())
            .ToDictionary(g => g.Key!, g => g.Count());
        Assert.Equal(40, perPhoto.Count);
        Assert.All(perPhoto.Values, count => Assert.Equal(2, count));
        Assert.Empty(Directory.GetFiles(output, "*.gradcam-partial", SearchOption.AllDirectories));
    }

    [Fact]
    public void FourShardsAsASchedulerRunsThem_MergeTo_OneRunsManifestAndMaps()
    {
        string input = Photos(10);
        // The embedded model: the same weights in every process (random weights differ between processes).
        string[] common = ["explain", input, "--method", "gradcam,guided-backprop", "--quiet"];
        // Two shards as a Kubernetes Indexed Job starts them, two as a Slurm array 1-4 does.
        Dictionary<string, string>[] environments =
        [
            new() { ["JOB_COMPLETION_INDEX"] = "0" },
            new() { ["JOB_COMPLETION_INDEX"] = "1" },
            new() { ["SLURM_ARRAY_TASK_ID"] = "3", ["SLURM_ARRAY_TASK_MIN"] = "1", ["SLURM_ARRAY_TASK_COUNT"] = "4" },
            new() { ["SLURM_ARRAY_TASK_ID"] = "4", ["SLURM_ARRAY_TASK_MIN"] = "1", ["SLURM_ARRAY_TASK_COUNT"] = "4" },
        ];
        string[] shards = [.. Enumerable.Range(0, 4).Select(i => _folder[$"shard-{i}"])];
        for (int i = 0; i < 4; i++)
        {
            string[] count = i < 2 ? ["--shard-count", "4"] : [];
            using Process process = Start([.. common, "--out", shards[i], "--shard", "auto", .. count],
                environments[i]);
            string error = process.StandardError.ReadToEnd();
            process.WaitForExit();
            Assert.True(process.ExitCode == ExitCodes.Success, error);
        }
        Assert.Equal(ExitCodes.Success, CliRun.Of([.. common, "--out", _folder["one"]]).ExitCode);

        CliRun merged = CliRun.Of(["merge", .. shards, "--out", _folder["merged"]]);

        Assert.Equal(ExitCodes.Success, merged.ExitCode);
        Assert.Equal(File.ReadAllText(Path.Combine(_folder["one"], DatasetRun.ManifestName)),
            File.ReadAllText(Path.Combine(_folder["merged"], DatasetRun.ManifestName)));
        string[] maps = [.. Directory.GetFiles(_folder["one"], "*.png", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(_folder["one"], f)).Order()];
        Assert.Equal(10 * 3, maps.Length);   // two maps and a panel a photo
        Assert.Equal(maps, Directory.GetFiles(_folder["merged"], "*.png", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(_folder["merged"], f)).Order());
        Assert.All(maps, map => Assert.Equal(File.ReadAllBytes(Path.Combine(_folder["one"], map)),
            File.ReadAllBytes(Path.Combine(_folder["merged"], map))));
        Assert.Equal(ExitCodes.Usage, CliRun.Of("merge", shards[0], shards[0], "--out", _folder["twice"]).ExitCode);
    }

    [Fact]
    public void AList_IsRead_RelativeToItsFolder_AndTheSameSettingsResume()
    {
        string input = Photos(3);
        string list = Path.Combine(input, "list.txt");
        File.WriteAllLines(list, ["a/photo0.jpg", "", "b/photo1.jpg", "a/photo0.jpg", "missing.jpg"]);

        CliRun run = CliRun.Of("explain", "--from-list", list, "--model", Model, "--out", _folder["out"]);

        Assert.Equal(ExitCodes.SomeFailed, run.ExitCode);
        Assert.Equal(["a/photo0.jpg", "b/photo1.jpg"],
            Lines(_folder["out"], DatasetRun.ManifestName).Select(l => l.GetProperty("image").GetString()));
        Assert.Equal("missing.jpg",
            Assert.Single(Lines(_folder["out"], DatasetRun.FailuresName)).GetProperty("image").GetString());
        CliRun other = CliRun.Of("explain", "--from-list", list, "--model", Model, "--out", _folder["out"],
            "--method", "hirescam");
        Assert.Equal(ExitCodes.Usage, other.ExitCode);
        Assert.Contains("other settings", other.Error);
    }

    [Fact]
    public void ReadCaptionAndVqa_TakeAFolderToo_StreamingAndResuming()
    {
        string lines = _folder["lines"];
        Directory.CreateDirectory(Path.Combine(lines, "sub"));
        File.Copy(Path.Combine(CliRun.Samples, "text", "textline_upright.png"), Path.Combine(lines, "sub", "a.png"));
        CliRun read = CliRun.Of("read", lines, "--out", _folder["read"]);
        Assert.Equal(ExitCodes.Success, read.ExitCode);
        Assert.Contains("sub/a.png: \"", read.Output);
        Assert.All(Lines(_folder["read"], DatasetRun.ManifestName), l =>
            Assert.StartsWith("sub/", l.GetProperty("file").GetString(), StringComparison.Ordinal));

        string scenes = _folder["scenes"];
        Assert.Equal(ExitCodes.Success, CliRun.Of("scenes", "--world", "shapes", "--count", "2", "--seed", "4242",
            "--out", scenes).ExitCode);
        foreach (string mask in Directory.GetFiles(scenes, "*_mask*.png")) File.Delete(mask);
        foreach ((string command, string[] extra) in new[] { ("caption", Array.Empty<string>()),
            ("vqa", new[] { "--question", "what color is the star" }) })
        {
            string output = _folder[command];
            CliRun first = CliRun.Of([command, scenes, "--out", output, .. extra]);
            Assert.Equal(ExitCodes.Success, first.ExitCode);
            Assert.Equal(["scene_00000.png", "scene_00001.png"], Lines(output, DatasetRun.ManifestName)
                .Select(l => l.GetProperty("image").GetString()).Distinct());
            CliRun again = CliRun.Of([command, scenes, "--out", output, .. extra]);
            Assert.Equal(ExitCodes.Success, again.ExitCode);
            Assert.Contains("2 already done", again.Error);
        }
    }

    [Theory]
    [InlineData("--shard", "0/2", "need a folder or --from-list")]
    [InlineData("--max-failures", "3", "need a folder or --from-list")]
    [InlineData("--photo-batch", "4", "need a folder or --from-list")]
    [InlineData("--photo-batch", "0", "at least 1")]
    [InlineData("--shard", "auto", "JOB_COMPLETION_INDEX")]
    public void DatasetOptions_WithoutADataset_OrItsIndex_AreRefused(string option, string value, string expected)
    {
        CliRun run = CliRun.Of("explain", Path.Combine(CliRun.Samples, "dog.jpg"), option, value, "--out",
            _folder["out"]);
        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        Assert.Contains(expected, run.Error);
    }

    [Fact]
    public void AFolderAmongPhotos_IsRefused()
    {
        CliRun run = CliRun.Of("explain", Path.Combine(CliRun.Samples, "dog.jpg"), CliRun.Samples, "--out",
            _folder["out"]);
        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        Assert.Contains("is a folder", run.Error);
    }

    /// <summary>
    /// <paramref name="count"/> photos (links to the shipped ones) in two subfolders, a and b, so that outputs must
    /// mirror folders.
    /// </summary>
    private string Photos(int count)
    {
        string[] samples = [.. Directory.GetFiles(CliRun.Samples, "*.jpg").Order()];
        for (int i = 0; i < count; i++)
        {
            string folder = Path.Combine(_folder["in"], i % 2 == 0 ? "a" : "b");
            Directory.CreateDirectory(folder);
            File.CreateSymbolicLink(Path.Combine(folder, $"photo{i}.jpg"), samples[i % samples.Length]);
        }
        return _folder["in"];
    }

    private static Process Start(IEnumerable<string> arguments, Dictionary<string, string> environment)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "gradcam.dll"));
        foreach (string argument in arguments) start.ArgumentList.Add(argument);
        foreach (string name in new[] { "JOB_COMPLETION_INDEX", "SLURM_ARRAY_TASK_ID", "SLURM_ARRAY_TASK_MIN",
            "SLURM_ARRAY_TASK_COUNT", "AWS_BATCH_JOB_ARRAY_INDEX" })
            start.Environment.Remove(name);
        foreach ((string name, string value) in environment) start.Environment[name] = value;
        return Process.Start(start)!;
    }

    /// <summary>The whole lines of a JSON Lines file (a killed run may have left an incomplete last one).</summary>
    private static JsonElement[] Lines(string folder, string name)
    {
        string text = File.ReadAllText(Path.Combine(folder, name));
        return [.. text[..(text.LastIndexOf('\n') + 1)].Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => JsonDocument.Parse(line).RootElement)];
    }
}
