using TorchSharp;
using static TorchSharp.torch;

namespace GradCamSharp.Onnx.Tests;

/// <summary>
/// The import equals ONNX Runtime on the architecture fixtures of shared/fixtures/onnx, on random and real inputs.
/// </summary>
public sealed class FixtureModelTests
{
    public static TheoryData<string> Fixtures => SharedFixtures.OnnxArchitectures;

    [SkippableTheory]
    [MemberData(nameof(Fixtures))]
    public void Forward_RandomBatch_EqualsOnnxRuntime(string fixture)
    {
        string path = SharedFixtures.RequireGunzipped($"fixtures/onnx/{fixture}.onnx.gz");
        using OnnxModule module = OnnxModule.Load(path);
        using DisposeScope scope = NewDisposeScope();
        manual_seed(1);
        Tensor input = randn(2, 3, 224, 224);
        float[] values = input.data<float>().ToArray();

        float[] expected = OnnxRuntimeOracle.Run(path, "input", values, [2, 3, 224, 224]);
        using var noGrad = no_grad();
        float[] actual = module.call(input).data<float>().ToArray();

        OnnxRuntimeOracle.AssertAgrees(expected, actual, fixture);
    }

    [SkippableTheory]
    [MemberData(nameof(Fixtures))]
    public void Forward_RealPhoto_EqualsOnnxRuntime(string fixture)
    {
        string path = SharedFixtures.RequireGunzipped($"fixtures/onnx/{fixture}.onnx.gz");
        float[] photo = SharedFixtures.ReadFloats(SharedFixtures.Require("fixtures/golden/resnet18.input.f32"));
        using OnnxModule module = OnnxModule.Load(path);
        using DisposeScope scope = NewDisposeScope();

        float[] expected = OnnxRuntimeOracle.Run(path, "input", photo, [1, 3, 224, 224]);
        using var noGrad = no_grad();
        float[] actual = module.call(tensor(photo).reshape(1, 3, 224, 224)).data<float>().ToArray();

        OnnxRuntimeOracle.AssertAgrees(expected, actual, fixture);
    }
}
