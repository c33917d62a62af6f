using static TorchSharp.torch;

namespace GradCamSharp.Onnx.Operators;

/// <summary>The operators of the default ONNX domain that GradCamSharp imports, by op type.</summary>
internal static partial class OnnxOperators
{
    private static readonly Lazy<Dictionary<string, OperatorDefinition>> s_registry = new(() =>
    {
        var registry = new Dictionary<string, OperatorDefinition>(StringComparer.Ordinal);
        RegisterElementwise(registry);
        RegisterNeuralNetwork(registry);
        RegisterShapes(registry);
        RegisterReductions(registry);
        RegisterResize(registry);
        RegisterSelection(registry);
        RegisterControlFlow(registry);
        return registry;
    });

    /// <summary>Every supported op type.</summary>
    public static IReadOnlyCollection<string> Supported => s_registry.Value.Keys;

    public static bool TryGet(string opType, out OperatorDefinition definition) =>
        s_registry.Value.TryGetValue(opType, out definition!);

    // ---- helpers shared by the operator files ----

    private static OperatorDefinition Single(string[] attributes, Func<OnnxNode, Tensor?[], Tensor> run,
        Action<OnnxNode>? validate = null) =>
        new(attributes, (node, inputs, _) => [run(node, inputs)], validate);

    private static Tensor Required(Tensor?[] inputs, int index, OnnxNode node) =>
        index < inputs.Length && inputs[index] is Tensor t ? t
            : throw new InvalidOperationException(
                $"ONNX {node.OpType} '{node.Name}': required input {index} is missing");

    private static Tensor? Optional(Tensor?[] inputs, int index) => index < inputs.Length ? inputs[index] : null;

    /// <summary>The values of a small integer tensor (shapes, axes, pads) read on the host.</summary>
    private static long[] Longs(Tensor t) => t.numel() == 0 ? [] : t.to(ScalarType.Int64).cpu().data<long>().ToArray();

    /// <summary>The values of a tensor read on the host as float32 (TorchSharp cannot read an empty one).</summary>
    private static float[] Singles(Tensor t) =>
        t.numel() == 0 ? [] : t.to(ScalarType.Float32).cpu().contiguous().data<float>().ToArray();

    private static double Scalar(Tensor t) => t.to(ScalarType.Float64).cpu().item<double>();

    private static long NormaliseAxis(long axis, long rank) => axis < 0 ? axis + rank : axis;

    private static bool IsFloating(Tensor t) =>
        t.dtype is ScalarType.Float32 or ScalarType.Float64 or ScalarType.Float16 or ScalarType.BFloat16;

    /// <summary>
    /// Converts ONNX pads [b1, b2, ..., e1, e2, ...] into torch's F.pad order (last dimension first).
    /// </summary>
    private static long[] TorchPadOrder(long[] onnxPads)
    {
        int dims = onnxPads.Length / 2;
        var result = new long[onnxPads.Length];
        for (int d = 0; d < dims; d++)
        {
            result[2 * d] = onnxPads[dims - 1 - d];
            result[2 * d + 1] = onnxPads[2 * dims - 1 - d];
        }
        return result;
    }
}
