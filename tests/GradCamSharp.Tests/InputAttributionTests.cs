using GradCamSharp.Methods;
using GradCamSharp.Models;
using GradCamSharp.Targets;
using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace GradCamSharp.Tests;

/// <summary>The input attributions against their definitions: autograd by hand, products, completeness.</summary>
public sealed class InputAttributionTests
{
    private const int Class = 1;

    /// <summary>A smooth network (tanh, no kinks), so that path integrals converge as the rule says.</summary>
    private static Module<Tensor, Tensor> Smooth()
    {
        manual_seed(5);
        return Sequential(("features", Conv2d(3, 4, 3, padding: 1)), ("tanh", Tanh()),
            ("pool", AdaptiveAvgPool2d(1)), ("flatten", Flatten()), ("fc", Linear(4, 3)));
    }

    private static float[] Values(Tensor t) => t.contiguous().to(ScalarType.Float32).data<float>().ToArray();

    private static float[] Explained(Explainer method, Tensor input, int batchSize = 0) =>
        method.Explain(input, [[new ClassTarget(Class)]], new RunOptions { BatchSize = batchSize }).Single()
            .Attribution!.Values;

    /// <summary>d score / d input by autograd on the module itself.</summary>
    private static Tensor HandGradient(Module<Tensor, Tensor> network, Tensor input)
    {
        Tensor leaf = input.detach().requires_grad_(true);
        Tensor score = network.call(leaf)[0, Class];
        return autograd.grad([score], [leaf])[0][0];
    }

    [Fact]
    public void VanillaGradientAndGradientTimesInput_EqualTheHandComputation()
    {
        using DisposeScope scope = NewDisposeScope();
        Module<Tensor, Tensor> network = Smooth();
        var model = new TorchModuleModel(network);
        Tensor input = randn(1, 3, 8, 8);
        Tensor gradient = HandGradient(network, input);
        Tolerance.AssertClose(Values(gradient), Explained(new VanillaGradient(model), input), 1e-5);
        Tolerance.AssertClose(Values(gradient * input[0]), Explained(new GradientTimesInput(model), input), 1e-5);
    }

    [Fact]
    public void SmoothGrad_ZeroNoise_EqualsTheVanillaGradient_AndNoiseIsSeeded()
    {
        using DisposeScope scope = NewDisposeScope();
        var model = new TorchModuleModel(Smooth());
        Tensor input = randn(1, 3, 8, 8);
        Tolerance.AssertClose(Explained(new VanillaGradient(model), input),
            Explained(new SmoothGrad(model, samples: 5, noiseLevel: 0), input, batchSize: 2), 1e-5);
        float[] first = Explained(new SmoothGrad(model, samples: 6, seed: 3), input);
        float[] again = Explained(new SmoothGrad(model, samples: 6, seed: 3), input, batchSize: 4);
        float[] other = Explained(new SmoothGrad(model, samples: 6, seed: 4), input);
        Tolerance.AssertClose(first, again, 1e-5);
        Assert.NotEqual(first, other);
    }

    [Fact]
    public void IntegratedGradients_AreComplete_WithinOnePercentAt64Steps()
    {
        using DisposeScope scope = NewDisposeScope();
        Module<Tensor, Tensor> network = Smooth();
        var model = new TorchModuleModel(network);
        Tensor input = randn(1, 3, 8, 8) * 2;
        Tensor baseline = zeros_like(input);
        float expected;
        using (no_grad())
            expected = (network.call(input)[0, Class] - network.call(baseline)[0, Class]).item<float>();
        float total = Explained(new IntegratedGradients(model, steps: 64, baseline: baseline), input, batchSize: 7)
            .Sum();
        Assert.True(Math.Abs(total - expected) <= 0.01 * Math.Abs(expected),
            $"attributions sum to {total}, f(x) - f(baseline) = {expected}");
    }

    [Fact]
    public void InputAttributions_NeedAClassTarget()
    {
        using DisposeScope scope = NewDisposeScope();
        var model = new TorchModuleModel(Smooth());
        var sequence = new DelegateTarget("sum", output => output.sum(1));
        UsageException refused = Assert.Throws<UsageException>(() =>
            new VanillaGradient(model).Explain(randn(1, 3, 8, 8), sequence));
        Assert.Contains("class", refused.Message);
    }
}
