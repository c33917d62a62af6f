namespace GradCamSharp.Cli.Tests;

/// <summary>
/// A model file is untrusted input, like an image: hostile graphs are refused with exit code 3 and one line, never an
/// internal error, a hang, a file of the machine read as weights, or memory taken without bound.
/// </summary>
public sealed class HostileModelTests
{
    /// <summary>x [N, 3, 8, 8] -> Relu -> GAP -> Flatten -> (middle nodes) -> logits [N, 3].</summary>
    private static OnnxGraphBuilder Classifier(string name, long side = 8) =>
        new OnnxGraphBuilder(name)
            .Input("x", -1, 3, side, side)
            .Output("logits", -1, 3)
            .Node("Relu", "relu", ["x"], ["features"])
            .Node("GlobalAveragePool", "pool", ["features"], ["pooled"])
            .Node("Flatten", "flatten", ["pooled"], ["vector"]);

    private static string Explain(TempFolder folder, string model, out CliRun run)
    {
        run = CliRun.Of("explain", SharedFixtures.Sample("dog.jpg"), "--model", model, "--out", folder["out"]);
        return run.Output + run.Error;
    }

    private static void AssertRefusedInOneLine(CliRun run, string reason)
    {
        Assert.True(run.ExitCode == ExitCodes.Input, $"exit {run.ExitCode}: {run.Error}");
        // Progress lines ("[1/1] dog.jpg: ...") may come before; the failure is one line.
        string line = Assert.Single(run.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries),
            l => l.StartsWith("gradcam: ", StringComparison.Ordinal));
        Assert.Contains(reason, line);
    }

    [Fact]
    public void ExternalDataOutsideTheModelsFolder_IsNeverRead_ByExplainOrVerify()
    {
        using var folder = new TempFolder();
        Directory.CreateDirectory(folder["model"]);
        string[] leaving = ["../../../../../../../../../../etc/passwd", "/etc/passwd"];
        foreach (string location in leaving)
        {
            string model = Classifier("evil")
                .ExternalInitializer("W", [1, 3], location)
                .Node("Mul", "scale", ["vector", "W"], ["logits"])
                .Save(folder["model/evil.onnx"]);
            string printed = Explain(folder, model, out CliRun explain);
            AssertRefusedInOneLine(explain, "W");
            Assert.DoesNotContain("root:", printed);
            CliRun verify = CliRun.Of("verify", model);
            AssertRefusedInOneLine(verify, "model's folder");
            Assert.False(Directory.Exists(folder["out"]));
        }
    }

    [Fact]
    public void ACycle_IsRefusedAtLoad()
    {
        using var folder = new TempFolder();
        string model = new OnnxGraphBuilder("cycle")
            .Input("x", -1, 3, 8, 8)
            .Output("logits", -1, 3)
            .Node("Add", "first", ["x", "b"], ["a"])
            .Node("Relu", "second", ["a"], ["b"])
            .Node("GlobalAveragePool", "pool", ["b"], ["pooled"])
            .Node("Flatten", "flatten", ["pooled"], ["logits"])
            .Save(folder["cycle.onnx"]);
        Explain(folder, model, out CliRun explain);
        AssertRefusedInOneLine(explain, "a cycle, or nodes out of order");
        AssertRefusedInOneLine(CliRun.Of("verify", model), "a cycle, or nodes out of order");
    }

    [Fact]
    public void AHugeDeclaredInput_IsRefused_BeforeAnythingIsAllocated()
    {
        using var folder = new TempFolder();
        string model = Classifier("huge", side: 1_000_000)
            .Initializer("W", [1, 3], [1f, 2f, 3f])
            .Node("Mul", "scale", ["vector", "W"], ["logits"])
            .Save(folder["huge.onnx"]);
        Explain(folder, model, out CliRun explain);
        AssertRefusedInOneLine(explain, "declares a 1000000x1000000 input");
        AssertRefusedInOneLine(CliRun.Of("verify", model), "pass a smaller --input-shape");
    }

    [Fact]
    public void AConstantOfShapeOfATrillionZeros_IsRefused_NotAttempted()
    {
        using var folder = new TempFolder();
        string model = Classifier("zeros")
            .Initializer("shape", [2], [1L << 20, 1L << 20])
            .Node("ConstantOfShape", "bomb", ["shape"], ["zeros"])
            .Node("ReduceSum", "sum", ["zeros"], ["total"], ("keepdims", 0L))
            .Node("Add", "add", ["vector", "total"], ["logits"])
            .Save(folder["zeros.onnx"]);
        Explain(folder, model, out CliRun explain);
        AssertRefusedInOneLine(explain, "ONNX ConstantOfShape (node 'bomb', opset 17) failed");
        AssertRefusedInOneLine(CliRun.Of("verify", model), "more than 2147483648 elements");
    }

    [Fact]
    public void AnOperatorThatCannotRun_IsUnreadableInput_NotAnInternalError()
    {
        using var folder = new TempFolder();
        // Logits [N, 3] plus a [4] vector: shapes that do not broadcast.
        string model = Classifier("mismatch")
            .Initializer("bias", [4], [1f, 2f, 3f, 4f])
            .Node("Add", "add", ["vector", "bias"], ["logits"])
            .Save(folder["mismatch.onnx"]);
        Explain(folder, model, out CliRun explain);
        AssertRefusedInOneLine(explain, "ONNX Add (node 'add', opset 17) failed");
    }
}
