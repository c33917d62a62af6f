using Google.Protobuf;
using GradCamSharp.Onnx.Proto;
using TorchSharp;
using static TorchSharp.torch;

namespace GradCamSharp.Onnx.Tests;

/// <summary>
/// An If's branches are subgraphs that read the values around them: the branch the condition picks runs, gradients
/// flow through it, and a file that nests subgraphs without end is refused at load.
/// </summary>
public sealed class SubgraphTests
{
    private static ValueInfoProto Float(string name) => new()
    {
        Name = name, Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = 1 } },
    };

    /// <summary>y = If(sum(x) > 0) then x * 2 else (an If nested <paramref name="depth"/> - 1 more levels) -x.
    /// </summary>
    private static GraphProto Branching(int depth, string prefix = "")
    {
        var graph = new GraphProto { Name = prefix + "g" };
        string condition = prefix + "positive", output = prefix + "y";
        var keepNoAxes = new AttributeProto
        {
            Name = "keepdims", I = 0, Type = AttributeProto.Types.AttributeType.Int,
        };
        graph.Node.Add(new NodeProto
        {
            OpType = "ReduceSum", Input = { "x" }, Output = { prefix + "sum" }, Attribute = { keepNoAxes },
        });
        graph.Node.Add(new NodeProto
        {
            OpType = "Greater", Input = { prefix + "sum", "zero" }, Output = { condition },
        });
        var then = new GraphProto { Name = prefix + "then", Output = { Float(prefix + "doubled") } };
        then.Node.Add(new NodeProto { OpType = "Add", Input = { "x", "x" }, Output = { prefix + "doubled" } });
        GraphProto otherwise;
        if (depth <= 1)
        {
            otherwise = new GraphProto { Name = prefix + "else", Output = { Float(prefix + "negated") } };
            otherwise.Node.Add(new NodeProto { OpType = "Neg", Input = { "x" }, Output = { prefix + "negated" } });
        }
        else
        {
            otherwise = Branching(depth - 1, prefix + "n");
            otherwise.Output.Add(Float(prefix + "ny"));
        }
        graph.Node.Add(new NodeProto
        {
            OpType = "If", Input = { condition }, Output = { output },
            Attribute =
            {
                new AttributeProto { Name = "then_branch", G = then, Type = AttributeProto.Types.AttributeType.Graph },
                new AttributeProto { Name = "else_branch", G = otherwise,
                    Type = AttributeProto.Types.AttributeType.Graph },
            },
        });
        return graph;
    }

    private static byte[] Model(int depth)
    {
        GraphProto graph = Branching(depth);
        graph.Input.Add(Float("x"));
        graph.Output.Add(Float("y"));
        graph.Initializer.Add(new TensorProto { Name = "zero", DataType = 1, FloatData = { 0f } });
        var model = new ModelProto
        {
            IrVersion = 8, Graph = graph, OpsetImport = { new OperatorSetIdProto { Version = 17 } },
        };
        return model.ToByteArray();
    }

    [Fact]
    public void TheBranchTheConditionPicks_Runs_AndCarriesTheGradient()
    {
        using DisposeScope scope = NewDisposeScope();
        using OnnxModule module = OnnxModule.Load(Model(2), null, "if");
        Tensor positive = tensor(new[] { 1f, 2f }).requires_grad_(true);
        Tensor doubled = module.Run(new Dictionary<string, Tensor> { ["x"] = positive })["y"];
        Assert.Equal([2f, 4f], doubled.data<float>().ToArray());
        doubled.sum().backward();
        Assert.Equal([2f, 2f], positive.grad!.data<float>().ToArray());
        // The else branch is itself an If, whose else branch negates.
        Tensor negative = tensor(new[] { -1f, -2f });
        Assert.Equal([1f, 2f], module.Run(new Dictionary<string, Tensor> { ["x"] = negative })["y"].data<float>()
            .ToArray());
    }

    [Fact]
    public void SubgraphsNestedWithoutEnd_AreRefusedAtLoad()
    {
        OnnxImportException refused =
            Assert.Throws<OnnxImportException>(() => OnnxModule.Load(Model(12), null, "deep"));
        Assert.Contains("nest deeper", refused.Message);
    }
}
