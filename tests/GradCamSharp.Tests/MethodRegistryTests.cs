using GradCamSharp.Methods;
using GradCamSharp.Models;

namespace GradCamSharp.Tests;

public sealed class MethodRegistryTests
{
    [Fact]
    public void All_IsThePapersFourInTheOrderOfItsFigures()
    {
        Assert.Equal(["gradcam", "guided-backprop", "guided-gradcam", "counterfactual"],
            KnownMethods.Expand(["all"]).Select(m => m.Name));
        Assert.Equal(["gradcam"], KnownMethods.Expand([]).Select(m => m.Name));
        Assert.Equal(["hirescam", "gradcam", "guided-backprop", "guided-gradcam", "counterfactual"],
            KnownMethods.Expand(["HiResCAM", "all", "gradcam"]).Select(m => m.Name));
    }

    [Fact]
    public void EveryEntry_CreatesAMethodOfItsOwnName()
    {
        using var model = new TorchModuleModel(TestNetworks.GapLinear());
        foreach (MethodDescriptor method in KnownMethods.Registered)
        {
            Explainer explainer = method.Create(model, new CamOptions());
            Assert.Equal(method.Name, explainer.Name);
            Assert.Equal(method.UsesLayer, explainer is CamMethod or GuidedGradCam or RefineCam);
        }
        Assert.Equal(KnownMethods.Names.Count, KnownMethods.Names.Distinct().Count());
    }

    [Fact]
    public void UnknownName_ListsWhatIsAccepted()
    {
        var error = Assert.Throws<UsageException>(() => KnownMethods.Get("magic"));
        Assert.Contains("gradcam++", error.Message);
        Assert.Contains("all", error.Message);
    }
}
