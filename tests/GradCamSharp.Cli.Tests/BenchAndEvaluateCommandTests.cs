using System.Text.Json;

namespace GradCamSharp.Cli.Tests;

public sealed class BenchAndEvaluateCommandTests
{
    [Fact]
    public void Bench_Json_ReportsForwardAndEachMethodAsRatios()
    {
        CliRun run = CliRun.Of("bench", "--model", "resnet18", "--methods", "gradcam,gradcam-top5", "--runs", "10",
            "--growth", "20", "--json");
        Assert.Equal(0, run.ExitCode);
        using JsonDocument report = JsonDocument.Parse(run.Output);
        JsonElement[] rows = report.RootElement.GetProperty("rows").EnumerateArray().ToArray();
        Assert.Equal(["forward", "gradcam", "gradcam-top5"], rows.Select(r => r.GetProperty("name").GetString()));
        Assert.Equal(1.0, rows[0].GetProperty("ratio_to_forward").GetDouble());
        Assert.All(rows, r => Assert.True(r.GetProperty("median_ms").GetDouble() > 0));
        Assert.Equal(20, report.RootElement.GetProperty("growth_iterations").GetInt32());
        Assert.Contains("round 10/10", run.Error);
    }

    [Fact]
    public void Bench_BadArguments_AreUsageErrors()
    {
        CliRun fewRuns = CliRun.Of("bench", "--model", "resnet18", "--runs", "3");
        Assert.Equal(2, fewRuns.ExitCode);
        Assert.Contains("at least 10", fewRuns.Error);
        CliRun method = CliRun.Of("bench", "--model", "resnet18", "--methods", "magic");
        Assert.Equal(2, method.ExitCode);
        Assert.Contains("unknown method 'magic'", method.Error);
        CliRun native = CliRun.Of("bench", "--model", "resnet18", "--native", "resnet18");
        Assert.Equal(2, native.ExitCode);
        Assert.Contains("--native", native.Error);
    }

    [Fact]
    public void Evaluate_OneAnnotatedDog_ReportsAHit()
    {
        using var folder = new TempFolder();
        File.WriteAllText(folder["boxes.json"],
            """{ "dog.jpg": { "dog": [124, 223, 322, 541], "unicorn": [0, 0, 10, 10] } }""");
        CliRun run =
            CliRun.Of("evaluate", "--boxes", folder["boxes.json"], "--images", CliRun.Samples, "--no-sanity", "--json");
        Assert.Equal(0, run.ExitCode);
        using JsonDocument summary = JsonDocument.Parse(run.Output);
        // Grad-CAM, and the RandomCAM baseline that every table shows.
        JsonElement[] results = [.. summary.RootElement.GetProperty("results").EnumerateArray()];
        Assert.Equal(["gradcam", "randomcam"], results.Select(r => r.GetProperty("method").GetString()));
        JsonElement dog = results[0];
        Assert.True(dog.GetProperty("pointing_hit").GetBoolean());
        Assert.True(dog.GetProperty("road").GetDouble() > results[1].GetProperty("road").GetDouble());
        Assert.InRange(dog.GetProperty("arcc").GetDouble(), 0, 1);
        Assert.Contains("unicorn (1)", run.Error);
        Assert.Equal(1, summary.RootElement.GetProperty("unmatched_labels").GetProperty("unicorn").GetInt32());
    }

    [Fact]
    public void Evaluate_Out_WritesTheJsonAndASelfContainedReport_OnCompositesOrVocBoxes()
    {
        using var folder = new TempFolder();
        string voc = Path.Combine(CliRun.RepositoryRoot, "tests", "GradCamSharp.Classification.Tests", "data", "voc");
        string labelMap = Path.Combine(CliRun.RepositoryRoot, "tests", "GradCamSharp.Classification.Tests", "data",
            "voc-labels.txt");

        CliRun composites = CliRun.Of("evaluate", "--composites", "1", "--seed", "3", "--methods",
            "gradcam,guided-backprop", "--no-faithfulness", "--sanity-steps", "1", "--no-road", "--no-baseline",
            "--out", folder["composites"]);
        CliRun vocRun = CliRun.Of("evaluate", "--boxes", voc, "--images", CliRun.Samples, "--label-map", labelMap,
            "--method", "gradcam", "--no-faithfulness", "--no-sanity", "--no-road", "--no-baseline", "--out",
            folder["voc"]);

        Assert.True(composites.ExitCode == 0, composites.Error);
        using (JsonDocument summary = JsonDocument.Parse(File.ReadAllText(
            Path.Combine(folder["composites"], "evaluation.json"))))
        {
            Assert.Equal(["gradcam", "guided-backprop"], summary.RootElement.GetProperty("methods").EnumerateArray()
                .Select(m => m.GetProperty("method").GetString()));
            Assert.InRange(summary.RootElement.GetProperty("cases").GetInt32(), 2, 3);
        }
        string report = File.ReadAllText(Path.Combine(folder["composites"], "report.html"));
        Assert.Contains("id=\"plot-pointing\"", report);
        Assert.Contains("guided-backprop", report);
        Assert.Contains("pointing +", composites.Output);
        Assert.True(vocRun.ExitCode == 0, vocRun.Error);
        Assert.Contains("sofa (1)", vocRun.Error);
        Assert.True(File.Exists(Path.Combine(folder["voc"], "report.html")));
        using JsonDocument vocSummary = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder["voc"],
            "evaluation.json")));
        Assert.Equal(["dog", "bike"], vocSummary.RootElement.GetProperty("results").EnumerateArray()
            .Select(r => r.GetProperty("label").GetString()));
    }
}
