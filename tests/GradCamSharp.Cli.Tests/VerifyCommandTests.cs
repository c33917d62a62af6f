using GradCamSharp.Onnx.Proto;
using Google.Protobuf;

namespace GradCamSharp.Cli.Tests;

[Collection(CliCollection.Name)]
public sealed class VerifyCommandTests
{
    private static ValueInfoProto Value(string name, params long[] shape)
    {
        var type = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = new TensorShapeProto() };
        type.Shape.Dim.AddRange(shape.Select(d => new TensorShapeProto.Types.Dimension { DimValue = d }));
        return new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = type } };
    }

    /// <summary>x -> Relu -> Sigmoid -> y, with an optional operator GradCamSharp does not import in the middle.</summary>
    private static string WriteModel(TempFolder folder, string middleOp)
    {
        var graph = new GraphProto { Name = "tiny" };
        graph.Input.Add(Value("x", 1, 3, 4, 4));
        graph.Output.Add(Value("y", 1, 3, 4, 4));
        graph.Node.Add(new NodeProto { OpType = "Relu", Name = "first", Input = { "x" }, Output = { "a" } });
        graph.Node.Add(new NodeProto { OpType = middleOp, Name = "middle", Input = { "a" }, Output = { "b" } });
        graph.Node.Add(new NodeProto { OpType = "Sigmoid", Name = "last", Input = { "b" }, Output = { "y" } });
        var model = new ModelProto { IrVersion = 8, Graph = graph, OpsetImport = { new OperatorSetIdProto { Domain = "", Version = 17 } } };
        string path = folder[$"{middleOp}.onnx"];
        File.WriteAllBytes(path, model.ToByteArray());
        return path;
    }

    [Fact]
    public void Verify_AgreeingModel_PrintsOkAndExitsZero()
    {
        using var folder = new TempFolder();
        CliRun run = CliRun.Of("verify", WriteModel(folder, "Tanh"));
        Assert.Equal(0, run.ExitCode);
        Assert.Contains("output y: max abs", run.Output);
        Assert.Contains("OK: the import agrees with ONNX Runtime on [1, 3, 4, 4]", run.Output);
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
    }
}
