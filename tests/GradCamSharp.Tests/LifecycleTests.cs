using System.Collections;
using System.Reflection;
using GradCamSharp.Methods;
using GradCamSharp.Models;
using GradCamSharp.Targets;
using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace GradCamSharp.Tests;

/// <summary>
/// An explanation leaves the model exactly as it found it: hooks, training flags, requires_grad, .grad.
/// </summary>
public sealed class LifecycleTests
{
    private static int HookCount(Module<Tensor, Tensor> model) =>
        new TorchSharp.torch.nn.Module[] { model }.Concat(model.named_modules().Select(m => m.module)).Sum(module =>
        {
            int count = 0;
            for (Type? type = module.GetType(); type is not null; type = type.BaseType)
            {
                foreach (string field in new[] { "pre_hooks", "post_hooks", "module_pre_hooks", "module_post_hooks" })
                {
                    const BindingFlags declared =
                        BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.DeclaredOnly;
                    if (type.GetField(field, declared)?.GetValue(module) is ICollection hooks) count += hooks.Count;
                }
            }
            return count;
        });

    /// <summary>
    /// Every registered method that applies to the model (a CNN has no attention for the transformer methods), one
    /// guided combination, and all of them as one set.
    /// </summary>
    private static IExplainer[] AllMethods(IExplainableModel model)
    {
        string[] applicable = [.. KnownMethods.Registered.Where(m => m.Obstacle(model) is null).Select(m => m.Name)];
        return
        [
            .. applicable.Select(name => KnownMethods.Create(name, model, new CamOptions())),
            KnownMethods.Create("guided-scorecam", model),
            KnownMethods.CreateSet(applicable, model),
        ];
    }

    [Fact]
    public void HookCount_SeesARegisteredHook()
    {
        // The positive control for the reflection below: a hook that is there must be counted.
        using DisposeScope scope = NewDisposeScope();
        Module<Tensor, Tensor> network = TestNetworks.GapLinear();
        var modules = network.named_modules().ToDictionary(m => m.name, m => (Module<Tensor, Tensor>)m.module);
        int before = HookCount(network);
        var handle = modules["features.conv1"].register_forward_hook((_, _, output) => output);
        Assert.Equal(before + 1, HookCount(network));
        handle.remove();
        Assert.Equal(before, HookCount(network));
    }

    [Fact]
    public void EveryMethod_LeavesHooksFlagsAndGradientsAsTheyWere()
    {
        using DisposeScope scope = NewDisposeScope();
        Module<Tensor, Tensor> network = TestNetworks.GapLinear();
        network.train();
        var modules = network.named_modules().ToDictionary(m => m.name, m => m.module);
        modules["features.relu1"].eval();
        // The user's own gradients from a training step, and one frozen parameter.
        network.call(randn(2, 3, 16, 16)).sum().backward();
        var parameters = network.named_parameters().ToList();
        parameters[0].parameter.requires_grad = false;
        var gradientsBefore = parameters.Select(p => p.parameter.grad?.clone()).ToList();
        var flagsBefore = modules.ToDictionary(m => m.Key, m => m.Value.training);
        int hooksBefore = HookCount(network);

        foreach (IExplainer method in AllMethods(new TorchModuleModel(network)))
        {
            method.Explain(randn(2, 3, 16, 16), new TopClassesTarget(2));

            Assert.Equal(hooksBefore, HookCount(network));
            Assert.True(network.training, method.Name);
            Assert.Equal(flagsBefore, modules.ToDictionary(m => m.Key, m => m.Value.training));
            Assert.False(parameters[0].parameter.requires_grad);
            Assert.All(parameters.Skip(1), p => Assert.True(p.parameter.requires_grad));
            for (int i = 0; i < parameters.Count; i++)
            {
                Tensor? before = gradientsBefore[i], after = parameters[i].parameter.grad;
                Assert.Equal(before is null, after is null);
                if (before is not null) Assert.True(before.allclose(after!, rtol: 0, atol: 0),
                    $"{method.Name} changed .grad of {parameters[i].name}");
            }
        }
    }

    [Fact]
    public void ExceptionInTarget_StillRemovesHooksAndRestoresFlags()
    {
        using DisposeScope scope = NewDisposeScope();
        Module<Tensor, Tensor> network = TestNetworks.GapLinear();
        network.train();
        var failing = new DelegateTarget("failing", _ => throw new InvalidOperationException("boom"));

        foreach (IExplainer method in AllMethods(new TorchModuleModel(network)))
        {
            Assert.Throws<InvalidOperationException>(() => method.Explain(randn(1, 3, 16, 16), failing));
            Assert.Equal(0, HookCount(network));
            Assert.True(network.training);
            Assert.All(network.parameters(), p => Assert.True(p.requires_grad));
        }
    }

    [Fact]
    public void FiveHundredExplanations_DoNotGrowLiveTensors()
    {
        Module<Tensor, Tensor> network = TestNetworks.GapLinear();
        var model = new TorchModuleModel(network);
        IExplainer[] methods = [new GradCam(model), new GuidedGradCam(model)];
        using Tensor input = randn(2, 3, 16, 16);
        foreach (IExplainer method in methods)
            method.Explain(input, new TopClassesTarget(2));   // warm-up: auto layer cache

        long before = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        for (int i = 0; i < 500; i++) methods[i % 2].Explain(input, new TopClassesTarget(2));
        long after = DisposeScopeManager.Statistics.ThreadTotalLiveCount;

        Assert.True(after - before <= 0, $"live tensors grew by {after - before} over 500 calls");
    }

    [Fact]
    public void EveryMethod_HundredCalls_DoNotGrowLiveTensors()
    {
        var model = new TorchModuleModel(TestNetworks.GapLinear());
        IExplainer[] methods = AllMethods(model);
        using Tensor input = randn(1, 3, 16, 16);
        foreach (IExplainer method in methods) method.Explain(input, new TopClassesTarget(1));   // warm-up

        long before = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        for (int i = 0; i < 100; i++)
        {
            foreach (IExplainer method in methods) method.Explain(input, new TopClassesTarget(1));
        }
        long after = DisposeScopeManager.Statistics.ThreadTotalLiveCount;

        Assert.True(after - before <= 0, $"live tensors grew by {after - before} over 100 calls of each method");
    }
}
