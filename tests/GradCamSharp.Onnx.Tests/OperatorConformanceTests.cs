using GradCamSharp.Onnx.Operators;
using GradCamSharp.Onnx.Proto;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace GradCamSharp.Onnx.Tests;

/// <summary>
/// ONNX's own backend test suite (Debian package libonnx-testdata): every one-node model of a supported operator
/// either reproduces the expected outputs or is rejected at load with a clear error. None may run and disagree.
/// </summary>
public sealed class OperatorConformanceTests(ITestOutputHelper output)
{
    private const string Suite = "/usr/share/libonnx-testdata/data/node";

    private enum Outcome { Passed, RejectedAtLoad, Disagreed, FailedAtRun }

    [SkippableFact]
    public void EverySupportedOperator_PassesOrIsRejectedAtLoad()
    {
        Skip.IfNot(Directory.Exists(Suite), InstallLogs.SkipReason("libonnx-testdata", Suite));
        var results = new List<(string Op, string Case, Outcome Outcome, string Detail)>();
        foreach (string folder in Directory.GetDirectories(Suite).Order())
        {
            string modelPath = Path.Combine(folder, "model.onnx");
            string dataFolder = Path.Combine(folder, "test_data_set_0");
            if (!File.Exists(modelPath) || !Directory.Exists(dataFolder)) continue;
            ModelProto proto = ModelProto.Parser.ParseFrom(File.ReadAllBytes(modelPath));
            string[] ops = proto.Graph.Node.Select(n => n.OpType).Distinct().ToArray();
            if (ops.Length != 1 || !OnnxOperators.TryGet(ops[0],
                out _) || proto.Graph.Node[0].Domain is not ("" or "ai.onnx")) continue;
            (Outcome outcome, string detail) = RunCase(modelPath, dataFolder);
            results.Add((ops[0], Path.GetFileName(folder), outcome, detail));
        }

        output.WriteLine($"{"operator",-22} passed  rejected  total");
        foreach (var group in results.GroupBy(r => r.Op).OrderBy(g => g.Key))
        {
            output.WriteLine($"{group.Key,-22} {group.Count(r => r.Outcome == Outcome.Passed),6}  " +
                $"{group.Count(r => r.Outcome == Outcome.RejectedAtLoad),8}  {group.Count(),5}");
        }
        output.WriteLine($"all: {results.Count(r => r.Outcome == Outcome.Passed)} passed, " +
            $"{results.Count(r => r.Outcome == Outcome.RejectedAtLoad)} rejected at load, of {results.Count}");
        foreach (var bad in results.Where(r => r.Outcome != Outcome.Passed))
            output.WriteLine($"  {bad.Outcome}: {bad.Case}: {bad.Detail}");

        var failures = results.Where(r => r.Outcome is Outcome.Disagreed or Outcome.FailedAtRun).ToList();
        Assert.True(failures.Count == 0, $"{failures.Count} cases ran and disagreed or failed: " +
            string.Join("; ", failures.Take(15).Select(f => $"{f.Case} ({f.Outcome}: {f.Detail})")));
        Assert.True(results.Count(r => r.Outcome == Outcome.Passed) >= 400, "too few conformance cases passed");
    }

    private static (Outcome, string) RunCase(string modelPath, string dataFolder)
    {
        using DisposeScope scope = NewDisposeScope();
        OnnxModule module;
        Dictionary<string, Tensor> inputs;
        Tensor[] expected;
        try
        {
            module = OnnxModule.Load(modelPath);
            inputs = module.InputNames.Select((name, i) => (name, i))
                .Where(pair => File.Exists(Path.Combine(dataFolder, $"input_{pair.i}.pb")))
                .ToDictionary(pair => pair.name, pair => Read(Path.Combine(dataFolder, $"input_{pair.i}.pb")));
            expected = module.OutputNames.Select((_, i) => Read(Path.Combine(dataFolder, $"output_{i}.pb"))).ToArray();
        }
        catch (OnnxImportException exception)
        {
            return (Outcome.RejectedAtLoad, exception.Message);
        }
        using (module)
        {
            try
            {
                if (inputs.Count != module.InputNames.Count)
                    return (Outcome.RejectedAtLoad, "optional graph inputs omitted");
                using var noGrad = no_grad();
                IReadOnlyDictionary<string, Tensor> actual = module.Run(inputs);
                for (int i = 0; i < expected.Length; i++)
                {
                    Tensor got = actual[module.OutputNames[i]];
                    if (!got.shape.SequenceEqual(expected[i].shape))
                        return (Outcome.Disagreed, $"output {i} shape [{string.Join(",", got.shape)}], expected " +
                            $"[{string.Join(",", expected[i].shape)}]");
                    if (!Close(expected[i], got)) return (Outcome.Disagreed, $"output {i} values differ");
                }
                return (Outcome.Passed, "");
            }
            catch (Exception exception)
            {
                return (Outcome.FailedAtRun, exception.Message);
            }
        }
    }

    private static Tensor Read(string path) =>
        OnnxTensors.ToTensor(TensorProto.Parser.ParseFrom(File.ReadAllBytes(path)));

    private static bool Close(Tensor expected, Tensor actual)
    {
        if (expected.numel() == 0) return true;
        if (expected.dtype is ScalarType.Bool || !expected.is_floating_point())
            return expected.to(ScalarType.Float64).equal(actual.to(ScalarType.Float64)).all().item<bool>();
        Tensor e = expected.to(ScalarType.Float64), a = actual.to(ScalarType.Float64);
        Tensor bothNaN = e.isnan().logical_and(a.isnan());
        Tensor near = (e - a).abs().le((e.abs() * 1e-3) + 1e-5).logical_or(bothNaN).logical_or(e.eq(a));
        return near.all().item<bool>();
    }
}
