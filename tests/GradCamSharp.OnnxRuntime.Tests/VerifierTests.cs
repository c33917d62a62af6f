using GradCamSharp.Onnx;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using TorchSharp;
using static TorchSharp.torch;
using Tensor = TorchSharp.torch.Tensor;

namespace GradCamSharp.OnnxRuntime.Tests;

public sealed class VerifierTests
{
    [SkippableFact]
    public void ExtraOutputs_LetOnnxRuntimeReportIntermediates_ThatEqualTheImports()
    {
        string path = SharedFixtures.RequireGunzipped("fixtures/onnx/resnet18.onnx.gz");
        using OnnxModule module = OnnxModule.Load(path);
        using DisposeScope scope = NewDisposeScope();
        manual_seed(2);
        Tensor input = randn(1, 3, 224, 224);
        var ours = new Dictionary<string, Tensor>();
        using (no_grad())
        {
            module.Run(new Dictionary<string, Tensor> { ["input"] = input },
                new GradCamSharp.Models.ForwardTaps { ObserveEveryLayer = (name,
                    value) => ours[name] = value.clone() });
        }
        string[] picked = [module.ValueNames[0], module.ValueNames[10], "/layer4/layer4.1/relu_1/Relu_output_0"];

        using var session = new InferenceSession(module.WithExtraOutputs(picked, ours));
        var feed = new DenseTensor<float>(input.data<float>().ToArray(), [1, 3, 224, 224]);
        using var results = session.Run([NamedOnnxValue.CreateFromTensor("input", feed)], picked);

        foreach (var result in results)
        {
            float[] reference = result.AsEnumerable<float>().ToArray();
            float[] mine = ours[result.Name].data<float>().ToArray();
            double worst = reference.Zip(mine, (r, m) => Math.Abs(r - m)).Max();
            Assert.True(worst <= 1e-4 * reference.Max(Math.Abs), $"{result.Name}: {worst}");
        }
    }

    [SkippableFact]
    public void Verify_Fixture_Agrees()
    {
        VerificationReport report =
            OnnxVerifier.Verify(SharedFixtures.RequireGunzipped("fixtures/onnx/googlenet.onnx.gz"), [1, 3, 224, 224]);
        Assert.True(report.Agrees);
        Assert.Null(report.FirstDisagreement);
        Assert.Equal("logits", Assert.Single(report.Outputs).Name);
    }

    [SkippableFact]
    public void Verify_TextDetector_NearZeroSigmoidOutputs_AgreeUnderAbsolutePlusRelativeTolerance()
    {
        // PaddleOCR's DB detector: on a random input its probabilities are all near zero, so relative differences of
        // float rounding are large (about 2e-3) while absolute ones are about 1e-7. numpy.allclose's rule (absolute
        // plus relative) calls that agreement; a relative test alone called it DIFFERS.
        string path = Path.Combine(Catalog.PaddleOcrModels.Folder, Catalog.PaddleOcrModels.DetectorFile);
        Skip.IfNot(File.Exists(path), $"the OCR models are not installed ({path}); the build fetches them with npm");

        VerificationReport report = OnnxVerifier.Verify(path, [1, 3, 320, 320]);

        ValueComparison output = Assert.Single(report.Outputs);
        Assert.True(report.Agrees, $"max abs {output.MaxAbsolute}, max rel {output.MaxRelative}");
        Assert.True(output.MaxAbsolute < OnnxVerifier.AbsoluteTolerance);
        Assert.True(output.MaxRelative > OnnxVerifier.RelativeTolerance, "the case this test is about: a large " +
            $"relative difference ({output.MaxRelative}) on near-zero values");
    }
}
