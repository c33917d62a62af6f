using System.Globalization;
using GradCamSharp.Onnx;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using TorchSharp;
using static TorchSharp.torch;
using Tensor = TorchSharp.torch.Tensor;

namespace GradCamSharp.OnnxRuntime;

/// <summary>Runs ONNX Runtime and the import on the same input and compares them value by value.</summary>
public static class OnnxVerifier
{
    /// <summary>The relative tolerance, a fraction of the largest reference magnitude.</summary>
    public const double RelativeTolerance = 1e-4;

    /// <summary>
    /// The absolute tolerance, so that outputs that are all near zero (a detector's sigmoid on a random input) do not
    /// fail on float32 rounding.
    /// </summary>
    public const double AbsoluteTolerance = 1e-6;

    /// <summary>
    /// Verifies <paramref name="path"/> on a random normal input of <paramref name="shape"/> (default: the model's
    /// declared input shape with batch 1).
    /// </summary>
    /// <exception cref="OnnxImportException">The import rejects the model (the message names the operator).</exception>
    /// <exception cref="UsageException">A shape that does not fit the model, or none where the model declares
    /// none.</exception>
    public static VerificationReport Verify(string path, long[]? shape = null, int seed = 0)
    {
        using OnnxModule module = OnnxModule.Load(path);
        if (module.InputNames.Count != 1)
            throw new UsageException($"'{path}' has {module.InputNames.Count} inputs; verify handles single-input " +
                "models");
        shape = InputShape(module, shape);
        using DisposeScope scope = NewDisposeScope();
        manual_seed(seed);
        Tensor input = randn(shape);
        float[] values = input.data<float>().ToArray();
        string inputName = module.InputNames[0];

        using var noGrad = no_grad();
        var intermediates = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        IReadOnlyDictionary<string, Tensor> ours = module.Run(new Dictionary<string, Tensor> { [inputName] = input },
            new GradCamSharp.Models.ForwardTaps { ObserveEveryLayer = (name,
                value) => intermediates[name] = value.detach().clone() });

        Dictionary<string, float[]> reference =
            RunOnnxRuntime(module, path, inputName, values, shape, module.OutputNames);
        var outputs = module.OutputNames.Select(name => Compare(module, name, reference[name], ours[name])).ToList();
        if (outputs.All(o => o.Agrees)) return new VerificationReport(shape, outputs, null);

        // Expose every float intermediate as an extra output, in execution order, and find the first that disagrees.
        string[] candidates = module.ValueNames.Where(v => intermediates.TryGetValue(v,
            out Tensor? t) && t.dtype == ScalarType.Float32).ToArray();
        Dictionary<string, float[]> all =
            RunOnnxRuntime(module, path, inputName, values, shape, candidates, intermediates);
        ValueComparison? first = candidates.Select(name => Compare(module, name, all[name],
            intermediates[name])).FirstOrDefault(c => !c.Agrees);
        return new VerificationReport(shape, outputs, first);
    }

    /// <summary>The most values a verification input may hold (2^28: 1 GB of float32).</summary>
    public const long MaxInputValues = 1L << 28;

    private static long[] InputShape(OnnxModule module, long[]? requested)
    {
        long[]? declared = module.DeclaredShape(module.InputNames[0]);
        if (requested is null)
        {
            if (declared is null) throw new UsageException("the model declares no input shape; pass --input-shape");
            if (declared.Skip(1).Any(d => d <= 0))
                throw new UsageException($"the input shape [{Describe(declared)}] is not fixed; pass --input-shape");
            long[] shape = [1, .. declared.Skip(1)];
            if (!Fits(shape))
            {
                throw new UnreadableInputException($"the model declares its input as [{Describe(declared)}], more " +
                    $"than {MaxInputValues} values; pass a smaller --input-shape");
            }
            return shape;
        }
        if (!Fits(requested))
            throw new UsageException($"--input-shape [{string.Join(", ", requested)}] holds more than " +
                $"{MaxInputValues} values");
        bool fits = declared is null || (declared.Length == requested.Length
            && declared.Select((d, i) => i == 0 || d <= 0 || d == requested[i]).All(ok => ok));
        if (!fits)
        {
            throw new UsageException($"--input-shape [{string.Join(", ", requested)}] does not fit the model's input " +
                $"'{module.InputNames[0]}' [{Describe(declared!)}]");
        }
        return requested;
    }

    private static bool Fits(long[] shape)
    {
        long count = 1;
        foreach (long size in shape)
        {
            if (size > MaxInputValues / Math.Max(1, count)) return false;
            count *= size;
        }
        return count <= MaxInputValues;
    }

    private static string Describe(long[] shape) =>
        string.Join(", ",
            shape.Select((d, i) => d > 0 ? d.ToString(CultureInfo.InvariantCulture) : i == 0 ? "N" : "?"));

    private static ValueComparison Compare(OnnxModule module, string name, float[] reference, Tensor actual)
    {
        float[] mine = actual.numel() == 0 ? [] : actual.to(ScalarType.Float32).contiguous().data<float>().ToArray();
        (string op, string node) = module.ProducerOf(name) ?? ("", "");
        if (mine.Length != reference.Length)
        {
            return new ValueComparison(name, op, node, double.PositiveInfinity, double.PositiveInfinity, false,
                actual.shape);
        }
        double scale = reference.Length == 0 ? 0 : reference.Max(v => Math.Abs(v));
        double worst = reference.Length == 0 ? 0 : reference.Zip(mine, (r, m) => Math.Abs(r - m)).Max();
        double relative = scale > 0 ? worst / scale : worst;
        return new ValueComparison(name, op, node, worst, relative,
            worst <= AbsoluteTolerance + RelativeTolerance * scale, actual.shape);
    }

    private static Dictionary<string, float[]> RunOnnxRuntime(OnnxModule module, string path, string inputName,
        float[] values, long[] shape,
        IReadOnlyList<string> outputs, IReadOnlyDictionary<string, Tensor>? intermediateTypes = null)
    {
        try
        {
            return RunReference(module, path, inputName, values, shape, outputs, intermediateTypes);
        }
        catch (OnnxRuntimeException exception)
        {
            throw new UnreadableInputException($"ONNX Runtime, the reference, cannot run '{path}': " +
                exception.Message.Split('\n')[0].Trim(), exception);
        }
    }

    private static Dictionary<string, float[]> RunReference(OnnxModule module, string path, string inputName,
        float[] values, long[] shape,
        IReadOnlyList<string> outputs, IReadOnlyDictionary<string, Tensor>? intermediateTypes)
    {
        using var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_DISABLE_ALL };
        // From the file when nothing is added, so that ONNX Runtime finds external data beside it (by its own rules).
        using InferenceSession session = intermediateTypes is null ? new InferenceSession(path, options)
            : new InferenceSession(module.WithExtraOutputs(outputs, intermediateTypes), options);
        var input = new DenseTensor<float>(values, shape.Select(d => (int)d).ToArray());
        using IDisposableReadOnlyCollection<DisposableNamedOnnxValue> results =
            session.Run([NamedOnnxValue.CreateFromTensor(inputName, input)], outputs.ToArray());
        return results.ToDictionary(r => r.Name, AsFloats);
    }

    /// <summary>An output's values as floats, whatever its numeric type (a detector's labels are int64).</summary>
    private static float[] AsFloats(DisposableNamedOnnxValue value) => value.ElementType switch
    {
        TensorElementType.Int64 => [.. value.AsEnumerable<long>().Select(v => (float)v)],
        TensorElementType.Int32 => [.. value.AsEnumerable<int>().Select(v => (float)v)],
        TensorElementType.Double => [.. value.AsEnumerable<double>().Select(v => (float)v)],
        TensorElementType.Bool => [.. value.AsEnumerable<bool>().Select(v => v ? 1f : 0f)],
        _ => value.AsEnumerable<float>().ToArray(),
    };
}
