using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace GradCamSharp.TestSupport;

/// <summary>ONNX Runtime as the reference implementation.</summary>
public static class OnnxRuntimeOracle
{
    public static float[] Run(string modelPath, string inputName, float[] input, long[] shape,
        string? outputName = null)
    {
        using var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_DISABLE_ALL };
        using var session = new InferenceSession(modelPath, options);
        var value = new DenseTensor<float>(input, shape.Select(d => (int)d).ToArray());
        using var results = session.Run([NamedOnnxValue.CreateFromTensor(inputName, value)]);
        DisposableNamedOnnxValue output =
            outputName is null ? results[0] : results.First(r => r.Name == outputName);
        return output.AsEnumerable<float>().ToArray();
    }

    /// <summary>The import agrees with the reference: max |difference| within 1e-4 x max |reference|.</summary>
    public static void AssertAgrees(float[] expected, float[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        double scale = expected.Max(Math.Abs);
        double worst = expected.Zip(actual, (e, a) => Math.Abs(e - a)).Max();
        Assert.True(worst <= 1e-4 * scale,
            $"{what}: max |difference| {worst:g3} exceeds 1e-4 x max |output| ({scale:g3})");
    }
}
