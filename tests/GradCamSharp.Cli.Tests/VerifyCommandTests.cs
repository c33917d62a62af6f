namespace GradCamSharp.Cli.Tests;

public sealed class VerifyCommandTests
{
    /// <summary>
    /// x -> Relu -> (middle) -> Sigmoid -> y, with an operator GradCamSharp may not import in the middle.
    /// </summary>
    private static string WriteModel(TempFolder folder, string middleOp) =>
        new OnnxGraphBuilder("tiny")
            .Input("x", 1, 3, 4, 4)
            .Output("y", 1, 3, 4, 4)
            .Node("Relu", "first", ["x"], ["a"])
            .Node(middleOp, "middle", ["a"], ["b"])
            .Node("Sigmoid", "last", ["b"], ["y"])
            .Save(folder[$"{middleOp}.onnx"]);

    [Fact]
    public void Verify_AgreeingModel_PrintsOkAndExitsZero()
    {
        using var folder = new TempFolder();
        CliRun run = CliRun.Of("verify", WriteModel(folder, "Tanh"));
        Assert.Equal(0, run.ExitCode);
        Assert.Contains("output y [1, 3, 4, 4]: max abs", run.Output);
        Assert.Contains("OK: the import agrees with ONNX Runtime on [1, 3, 4, 4]", run.Output);
    }

    [Fact]
    public void Verify_ATorchvisionDetector_ComparesItsDetections()
    {
        string export = Path.Combine(SharedFixtures.RepositoryRoot, "tests", "GradCamSharp.Onnx.Tests", "detection",
            "fasterrcnn_tiny.onnx");
        CliRun run = CliRun.Of("verify", export);
        Assert.True(run.ExitCode == 0, run.Error + run.Output);
        Assert.Matches(@"output boxes \[\d+, 4\]: max abs", run.Output);
        Assert.Contains("OK: the import agrees with ONNX Runtime on [1, 3, 64, 64]", run.Output);
    }

    [Fact]
    public void Verify_UnsupportedOperator_NamesItAndExitsOne()
    {
        using var folder = new TempFolder();
        CliRun run = CliRun.Of("verify", WriteModel(folder, "Hardmax"));
        Assert.Equal(1, run.ExitCode);
        Assert.Contains("unsupported: ONNX Hardmax (node 'middle', opset 17): operator not supported", run.Output);
    }

    [Fact]
    public void Verify_BadArguments_AreReportedCleanly()
    {
        using var folder = new TempFolder();
        CliRun missing = CliRun.Of("verify", folder["absent.onnx"]);
        Assert.Equal(3, missing.ExitCode);
        Assert.Contains("not found", missing.Error);
        CliRun shape = CliRun.Of("verify", WriteModel(folder, "Tanh"), "--input-shape", "1,three,4,4");
        Assert.Equal(2, shape.ExitCode);
        Assert.Contains("bad --input-shape", shape.Error);
        CliRun wrongShape = CliRun.Of("verify", WriteModel(folder, "Tanh"), "--input-shape", "1,4,4,4");
        Assert.Equal(2, wrongShape.ExitCode);
        Assert.Contains("does not fit the model's input 'x' [1, 3, 4, 4]", wrongShape.Error);
        File.WriteAllText(folder["text.onnx"], "this is not a model");
        CliRun notOnnx = CliRun.Of("verify", folder["text.onnx"]);
        Assert.Equal(3, notOnnx.ExitCode);
        Assert.Contains("is not an ONNX model", notOnnx.Error);
        Assert.Empty(notOnnx.Output);
    }

    [Fact]
    public void Verify_NearZeroOutputs_AgreeWithinTheAbsoluteTolerance()
    {
        // A detector's sigmoid on a random input: every output near zero, where a purely relative test fails.
        using var folder = new TempFolder();
        string path = new OnnxGraphBuilder("nearzero")
            .Input("x", 1, 3, 4, 4)
            .Output("y", 1, 3, 4, 4)
            .Initializer("shift", [1], [-20f])
            .Node("Add", "shift", ["x", "shift"], ["a"])
            .Node("Sigmoid", "sigmoid", ["a"], ["y"])
            .Save(folder["nearzero.onnx"]);
        CliRun run = CliRun.Of("verify", path);
        Assert.Equal(0, run.ExitCode);
        Assert.Contains("OK", run.Output);
    }
}
