using static TorchSharp.torch;

namespace GradCamSharp.Onnx.Operators;

internal static partial class OnnxOperators
{
    private static void RegisterControlFlow(Dictionary<string, OperatorDefinition> r)
    {
        // If: the branch the condition picks runs on the values of the graph around it (torchvision's batched_nms
        // skips its NonMaxSuppression when there are no boxes). Gradients flow through the branch taken.
        r["If"] = new(["then_branch", "else_branch"], (n, i, context) =>
        {
            Tensor condition = Required(i, 0, n);
            if (condition.numel() != 1) throw n.Failed($"a condition of {condition.numel()} values, not one");
            string branch = condition.to(ScalarType.Bool).item<bool>() ? "then_branch" : "else_branch";
            return n.Subgraphs[branch].Run(n, i, context);
        }, n =>
        {
            if (!n.Subgraphs.ContainsKey("then_branch") || !n.Subgraphs.ContainsKey("else_branch"))
                throw n.Unsupported("an If needs both a then_branch and an else_branch graph");
        });
    }
}
