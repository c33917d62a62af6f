using GradCamSharp.Methods;
using GradCamSharp.Models;
using GradCamSharp.Targets;
using TorchSharp;
using static TorchSharp.torch;

namespace GradCamSharp.Tests;

/// <summary>Targets a model cannot answer are usage errors, early where the target alone shows it.</summary>
public sealed class TargetErrorTests
{
    [Fact]
    public void NegativeClassesAndEmptyTopLists_AreUsageErrors_WhenMade()
    {
        Assert.Contains("-1", Assert.Throws<UsageException>(() => new ClassTarget(-1)).Message);
        Assert.Contains("at least 1", Assert.Throws<UsageException>(() => new TopClassesTarget(0)).Message);
    }

    [Fact]
    public void MoreTopClassesOrAHigherClassThanTheModelHas_AreUsageErrors_NotClampedMaps()
    {
        using var model = new TorchModuleModel(TestNetworks.GapLinear(classes: 5));
        using DisposeScope scope = NewDisposeScope();
        Tensor input = randn(1, 3, 16, 16);
        var gradCam = new GradCam(model);

        Assert.Equal(5, gradCam.Explain(input, new TopClassesTarget(5)).Count);
        Assert.Contains("only 5", Assert.Throws<UsageException>(() => gradCam.Explain(input,
            new TopClassesTarget(2000))).Message);
        Assert.Contains("only 4 that are answers", Assert.Throws<UsageException>(() => gradCam.Explain(input,
            new TopClassesTarget(5, [0]))).Message);
        Assert.Contains("0..4",
            Assert.Throws<UsageException>(() => gradCam.Explain(input, new ClassTarget(5))).Message);
    }
}
