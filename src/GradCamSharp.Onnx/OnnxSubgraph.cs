using GradCamSharp.Onnx.Operators;
using static TorchSharp.torch;

namespace GradCamSharp.Onnx;

/// <summary>
/// A graph held by a node's attribute (an If's branch), compiled at load. It reads values of the graph around it by
/// name; its node lists those as inputs, so they arrive with the node's other inputs.
/// </summary>
/// <param name="Nodes">Its nodes, in order.</param>
/// <param name="Outputs">What it returns, in order.</param>
/// <param name="OuterReads">The values of the graphs around it that it reads.</param>
internal sealed record OnnxSubgraph(OnnxNode[] Nodes, string[] Outputs, string[] OuterReads)
{
    /// <summary>
    /// Runs every node in order with the outer values of <paramref name="owner"/>'s inputs, and returns the outputs;
    /// an output that is an outer value or a constant comes back as an alias (the caller owns what it gets), and every
    /// value made here and not returned is freed.
    /// </summary>
    public Tensor[] Run(OnnxNode owner, Tensor?[] ownerInputs, RunContext context)
    {
        var outer = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        for (int k = 0; k < owner.Inputs.Length; k++)
        {
            if (owner.Inputs[k].Length > 0 && ownerInputs[k] is Tensor value) outer[owner.Inputs[k]] = value;
        }
        var made = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        try
        {
            foreach (OnnxNode node in Nodes.Where(n => n.OpType != "Constant"))
            {
                Tensor?[] arguments = node.Inputs.Select(input => input.Length == 0 ? null
                    : made.TryGetValue(input, out Tensor? value) ? value
                    : outer.TryGetValue(input, out value) ? value
                    : node.ConstantOf(input) ?? throw node.Failed($"input '{input}' has no value")).ToArray();
                Tensor[] results =
                    OnnxModule.OwnResults(node.Operator.Run(node, arguments, context), arguments);
                for (int k = 0; k < results.Length; k++)
                {
                    if (k < node.Outputs.Length && node.Outputs[k].Length > 0) made[node.Outputs[k]] = results[k];
                    else results[k].Dispose();
                }
            }
            return Outputs.Select(name => made.Remove(name, out Tensor? own) ? own
                : outer.TryGetValue(name, out Tensor? value) ? value.alias()
                : owner.ConstantOf(name)?.alias() ?? throw owner.Failed($"its branch's '{name}' has no value"))
                .ToArray();
        }
        finally
        {
            foreach (Tensor value in made.Values) value.Dispose();
        }
    }
}
