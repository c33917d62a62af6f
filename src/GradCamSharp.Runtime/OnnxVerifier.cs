using GradCamSharp.Onnx;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using TorchSharp;
using static TorchSharp.torch;
using Tensor = TorchSharp.torch.Tensor;

namespace GradCamSharp.Runtime;

/// <summary>Runs ONNX Runtime and the import on the same input and compares them value by value.</summary>
public static class OnnxVerifier
{
    /// <summary>The tolerance: max |difference| &lt;= this times max |reference|.</summary>
    public const double Tolerance = 1e-4;

    /// <summary>Verifies <paramref name="path"/> on a random normal input of <paramref name="shape"/>.</summary>
    /// <exception cref="OnnxImportException">The import rejects the model (the message names the operator).</exception>
    public static VerificationReport Verify(string path, long[] shape, int seed = 0)
    {
        using OnnxModule module = OnnxModule.Load(path);
        if (module.InputNames.Count != 1)
            throw new ArgumentException($"'{path}' has {module.InputNames.Count} inputs; verify handles single-input models");
        using DisposeScope scope = NewDisposeScope();
        manual_seed(seed);
        Tensor input = randn(shape);
        float[] values = input.data<float>().ToArray();
        string inputName = module.InputNames[0];

        using var noGrad = no_grad();
        var intermediates = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        IReadOnlyDictionary<string, Tensor> ours = module.Run(new Dictionary<string, Tensor> { [inputName] = input },
            new GradCamSharp.Models.ForwardTaps { ObserveEveryLayer = (name, value) => intermediates[name] = value.detach().clone() });

        Dictionary<string, float[]> reference = RunOnnxRuntime(module, path, inputName, values, shape, module.OutputNames);
        var outputs = module.OutputNames.Select(name => Compare(module, name, reference[name], ours[name])).ToList();
        if (outputs.All(o => o.Agrees)) return new VerificationReport(outputs, null);

        // Expose every float intermediate as an extra output, in execution order, and find the first that disagrees.
        string[] candidates = module.ValueNames.Where(v => intermediates.TryGetValue(v, out Tensor? t) && t.dtype == ScalarType.Float32).ToArray();
        Dictionary<string, float[]> all = RunOnnxRuntime(module, path, inputName, values, shape, candidates, intermediates);
        ValueComparison? first = candidates.Select(name => Compare(module, name, all[name], intermediates[name])).FirstOrDefault(c => !c.Agrees);
        return new VerificationReport(outputs, first);
    }

    private static ValueComparison Compare(OnnxModule module, string name, float[] reference, Tensor actual)
    {
        float[] mine = actual.to(ScalarType.Float32).contiguous().data<float>().ToArray();
        (string op, string node) = module.ProducerOf(name) ?? ("", "");
        if (mine.Length != reference.Length) return new ValueComparison(name, op, node, double.PositiveInfinity, double.PositiveInfinity, false);
        double scale = reference.Length == 0 ? 0 : reference.Max(v => Math.Abs(v));
        double worst = reference.Length == 0 ? 0 : reference.Zip(mine, (r, m) => Math.Abs(r - m)).Max();
        double relative = scale > 0 ? worst / scale : worst;
        return new ValueComparison(name, op, node, worst, relative, worst <= Tolerance * Math.Max(scale, 1e-6));
    }

    private static Dictionary<string, float[]> RunOnnxRuntime(OnnxModule module, string path, string inputName, float[] values, long[] shape,
        IReadOnlyList<string> outputs, IReadOnlyDictionary<string, Tensor>? intermediateTypes = null)
    {
        byte[] model = intermediateTypes is null ? File.ReadAllBytes(path) : module.WithExtraOutputs(outputs, intermediateTypes);
        using var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_DISABLE_ALL };
        using var session = new InferenceSession(model, options);
        var input = new DenseTensor<float>(values, shape.Select(d => (int)d).ToArray());
        using IDisposableReadOnlyCollection<DisposableNamedOnnxValue> results =
            session.Run([NamedOnnxValue.CreateFromTensor(inputName, input)], outputs.ToArray());
        return results.ToDictionary(r => r.Name, r => r.AsEnumerable<float>().ToArray());
    }
}
