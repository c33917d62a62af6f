using static TorchSharp.torch;

namespace GradCamSharp.Onnx.Operators;

/// <summary>How an ONNX operator runs on torch tensors.</summary>
/// <param name="Attributes">Every attribute the implementation honours; any other attribute fails the import.</param>
/// <param name="Run">Computes the outputs from the inputs (null for omitted optional inputs).</param>
/// <param name="Validate">Rejects, at load time, attribute values the implementation does not support.</param>
internal sealed record OperatorDefinition(
    string[] Attributes,
    Func<OnnxNode, Tensor?[], RunContext, Tensor[]> Run,
    Action<OnnxNode>? Validate = null);

/// <summary>What an operator may need to know about the pass it runs in.</summary>
/// <param name="Taps">The pass's taps; Relu nodes ask them whether to follow the Guided Backpropagation rule.</param>
internal sealed record RunContext(GradCamSharp.Models.ForwardTaps Taps)
{
    public static RunContext Plain { get; } = new(GradCamSharp.Models.ForwardTaps.None);
}
