using GradCamSharp.Methods;
using GradCamSharp.Models;
using GradCamSharp.Targets;
using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace GradCamSharp.Tests;

public sealed class OcclusionSensitivityTests
{
    [Fact]
    public void Occlusion_ScoreOfOneQuadrant_DropsExactlyByTheHiddenPixels()
    {
        // Class 0 sums the top-left 8x8 quadrant of a 16x16 image of ones: hiding a 4x4 patch there drops it by 16.
        using DisposeScope scope = NewDisposeScope();
        var linear = Linear(256, 2, hasBias: false);
        using (no_grad())
        {
            var weights = zeros(2, 16, 16);
            weights[0, ..8, ..8] = ones(8, 8);
            linear.weight!.copy_(weights.reshape(2, 256));
        }
        var model = new TorchModuleModel(Sequential(("flatten", Flatten()), ("fc", linear)));
        Explanation explanation =
            new OcclusionSensitivity(model, patch: 4, stride: 4)
            .Explain(ones(1, 1, 16, 16), [[new ClassTarget(0)]], new RunOptions { BatchSize = 5 }).Single();

        Assert.Equal(16f, explanation.RawMap![2, 2], 4);
        Assert.Equal(16f, explanation.RawMap[7, 7], 4);
        Assert.Equal(0f, explanation.RawMap[12, 3], 4);
        Assert.Equal(0f, explanation.RawMap[13, 13], 4);
        Assert.Equal(1f, explanation.Heatmap.Max, 5);
        Assert.Equal("occlusion", explanation.Method);
    }
}
