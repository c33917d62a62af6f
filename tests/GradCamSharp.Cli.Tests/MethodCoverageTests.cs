using System.Text.Json;
using GradCamSharp.Methods;

namespace GradCamSharp.Cli.Tests;

/// <summary>Every registered method runs through explain, evaluate and bench: the registry is the only list.</summary>
public sealed class MethodCoverageTests
{
    public static TheoryData<string> Methods => new(KnownMethods.Names);

    /// <summary>
    /// A small two-class ONNX classifier (dog, cat) on 32x32 inputs: every method runs in moments on it.
    /// </summary>
    private static (string Model, string Labels) TinyClassifier(TempFolder folder)
    {
        float[] Ramp(int n, int seed) => Enumerable.Range(0, n).Select(i => ((i * 31 + seed) % 13 - 6) / 10f).ToArray();
        string model = new OnnxGraphBuilder("tiny")
            .Input("input", -1, 3, 32, 32)
            .Output("logits", -1, 2)
            .Initializer("w1", [8, 3, 3, 3], Ramp(216, 1))
            .Initializer("w2", [8, 8, 3, 3], Ramp(576, 2))
            .Initializer("fc", [2, 8], Ramp(16, 3))
            .Initializer("b1", [8], Ramp(8, 4))
            .Node("Conv", "/conv1/Conv", ["input", "w1", "b1"], ["a"], ("pads", new long[] { 1, 1, 1, 1 }))
            .Node("Relu", "/relu1/Relu", ["a"], ["b"])
            .Node("Conv", "/conv2/Conv", ["b", "w2"], ["c"], ("pads", new long[] { 1, 1, 1, 1 }),
                ("strides", new long[] { 2, 2 }))
            .Node("Relu", "/relu2/Relu", ["c"], ["d"])
            .Node("GlobalAveragePool", "/pool/GlobalAveragePool", ["d"], ["e"])
            .Node("Flatten", "/flatten/Flatten", ["e"], ["f"])
            .Node("Gemm", "/fc/Gemm", ["f", "fc"], ["logits"], ("transB", 1L))
            .Save(folder["tiny.onnx"]);
        File.WriteAllLines(folder["labels.txt"], ["dog", "cat"]);
        return (model, folder["labels.txt"]);
    }

    /// <summary>
    /// For the methods that read a transformer's attention: a two-block ViT in miniature, labelled dog, cat, bird.
    /// </summary>
    private static (string Model, string Labels) TinyTransformer(TempFolder folder)
    {
        string model = TransformerGraphs.MiniAttention().Save(folder["tiny-vit.onnx"]);
        File.WriteAllLines(folder["labels.txt"], ["dog", "cat", "bird"]);
        return (model, folder["labels.txt"]);
    }

    [Theory]
    [MemberData(nameof(Methods))]
    public void EveryRegisteredMethod_RunsThroughExplainEvaluateAndBench(string method)
    {
        using var folder = new TempFolder();
        (string model, string labels) = method.StartsWith("attention-", StringComparison.Ordinal)
            ? TinyTransformer(folder) : TinyClassifier(folder);
        CliRun explain = CliRun.Of("explain", SharedFixtures.Sample("dog.jpg"), "--model", model, "--labels", labels,
            "--class", "dog", "--method", method, "--out", folder["out"], "--json", "--quiet");
        Assert.True(explain.ExitCode == 0, explain.Error);
        using (JsonDocument entries = JsonDocument.Parse(explain.Output))
            Assert.Equal(method,
                Assert.Single(entries.RootElement.EnumerateArray().ToArray()).GetProperty("method").GetString());

        File.WriteAllText(folder["boxes.json"], """{ "dog.jpg": { "dog": [124, 223, 322, 541] } }""");
        CliRun evaluate = CliRun.Of("evaluate", "--model", model, "--labels", labels, "--boxes", folder["boxes.json"],
            "--images", CliRun.Samples, "--method", method, "--sanity-steps", "1", "--no-baseline", "--json");
        Assert.True(evaluate.ExitCode == 0, evaluate.Error);
        using (JsonDocument results = JsonDocument.Parse(evaluate.Output))
        {
            Assert.Equal(method, Assert.Single(results.RootElement.GetProperty("results").EnumerateArray().ToArray())
                .GetProperty("method").GetString());
        }

        CliRun bench =
            CliRun.Of("bench", "--model", model, "--methods", method, "--runs", "10", "--growth", "0", "--json");
        Assert.True(bench.ExitCode == 0, bench.Error);
        using JsonDocument report = JsonDocument.Parse(bench.Output);
        string?[] rows = report.RootElement.GetProperty("rows").EnumerateArray()
            .Select(r => r.GetProperty("name").GetString()).ToArray();
        // Methods that score perturbed inputs are also timed against their floor: the same forwards, alone, through
        // the model and in a bare ONNX Runtime session. An ONNX model is also timed wholly in TorchSharp, beside the
        // default path through ONNX Runtime.
        IReadOnlyList<string> perturbing = KnownMethods.Perturbing;
        string torchSharp = " [torchsharp]";
        string[] expected = ["forward", "forward" + torchSharp, method, method + torchSharp,
            .. perturbing.Contains(method) ? [method + "-floor"] : Array.Empty<string>(),
            .. perturbing.Contains(method) ? [method + "-onnxruntime-floor"] : Array.Empty<string>()];
        Assert.Equal(expected, rows.Where(r => r != "onnxruntime-forward"));
        JsonElement[] floors = [.. report.RootElement.GetProperty("floors").EnumerateArray()];
        Assert.Equal(perturbing.Contains(method) ? 1 : 0, floors.Length);
        Assert.All(floors, f => Assert.True(f.GetProperty("ratio_to_floor").GetDouble() > 0));
        Assert.All(floors, f => Assert.True(f.GetProperty("ratio_to_onnxruntime_floor").GetDouble() > 0));
        Assert.True(report.RootElement.GetProperty("process_peak_mb").GetDouble() > 0);
    }

    [Fact]
    public void Evaluate_All_EvaluatesThePapersFour()
    {
        using var folder = new TempFolder();
        File.WriteAllText(folder["boxes.json"], """{ "dog.jpg": { "dog": [124, 223, 322, 541] } }""");
        CliRun run = CliRun.Of("evaluate", "--boxes", folder["boxes.json"], "--images", CliRun.Samples, "--method",
            "all", "--no-sanity");
        Assert.True(run.ExitCode == 0, run.Error);
        string header = run.Output.Split('\n')[1];
        Assert.Equal([.. KnownMethods.Expand(["all"]).Select(m => m.Name), "randomcam"],
            header.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1));
        Assert.Contains("pointing +", run.Output);
    }

    [Fact]
    public void Methods_ListsEveryRegisteredMethodWithItsPaper()
    {
        CliRun run = CliRun.Of("methods");
        Assert.Equal(0, run.ExitCode);
        foreach (MethodDescriptor method in KnownMethods.Registered)
        {
            Assert.Contains(method.Name, run.Output);
            Assert.Contains(method.Paper, run.Output);
        }
    }
}
