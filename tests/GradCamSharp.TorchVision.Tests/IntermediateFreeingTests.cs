using GradCamSharp.Models;
using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace GradCamSharp.TorchVision.Tests;

/// <summary>
/// A TorchSharp module explained through <see cref="TorchModuleModel"/> frees each block's intermediates as soon as
/// the block returns, without changing what it computes or what a tap keeps.
/// </summary>
public sealed class IntermediateFreeingTests
{
    [Fact]
    public void Forward_LeavesOnlyTopLevelValues_AndComputesTheSame()
    {
        using DisposeScope scope = NewDisposeScope();
        using var model = new TorchModuleModel(TorchVisionModels.Create("resnet50", classes: 10));
        manual_seed(3);
        Tensor input = randn(2, 3, 64, 64);
        using var noGrad = no_grad();
        using IDisposable state = model.BeginExplanation();

        // What is alive when the last layer runs is what the pass holds at its end.
        var head = (Module<Tensor, Tensor>)model.Module.named_modules().Single(m => m.name == "fc").module;
        long held = 0;
        var probe = head.register_forward_pre_hook((_, value) =>
        {
            held = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
            return value;
        });
        long before = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        Tensor plain = ((Module<Tensor, Tensor>)model.Module).call(input);
        long plainCount = held - before;
        before = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        Tensor freed = model.Forward(input, ForwardTaps.None);
        long freedCount = held - before;
        probe.remove();

        Assert.Equal(plain.data<float>().ToArray(), freed.data<float>().ToArray());
        // resnet50 makes about 170 values; only those of the stem, the four stages' outputs and the head remain.
        Assert.True(plainCount > 100, $"plain pass kept {plainCount}");
        Assert.True(freedCount <= 12, $"freeing pass kept {freedCount}");
    }

    [Fact]
    public void TapInsideNestedBlocks_KeepsItsValueBeyondThePass()
    {
        using DisposeScope scope = NewDisposeScope();
        using var model = new TorchModuleModel(TorchVisionModels.Create("resnet18", classes: 10));
        var module = (Module<Tensor, Tensor>)model.Module;
        manual_seed(4);
        Tensor input = randn(1, 3, 64, 64);
        using var noGrad = no_grad();
        using IDisposable state = model.BeginExplanation();
        const string layer = "layer3.1.conv2";

        float[]? expected = null;
        var layerModule = (Module<Tensor, Tensor>)module.named_modules().Single(m => m.name == layer).module;
        var hook = layerModule.register_forward_hook((_, _, output) =>
        {
            expected = output.data<float>().ToArray();
            return output;
        });
        module.call(input);
        hook.remove();
        Tensor? kept = null;
        Tensor output = model.Forward(input, new ForwardTaps
        {
            Layer = layer,
            // Doubling the layer's output must reach the logits: the tap's value is what the rest of the pass uses.
            ReplaceLayerOutput = value =>
            {
                // A plain copy, as a tap written for any model makes it: it must outlive the blocks around the layer.
                kept = value.clone();
                return value * 2;
            },
        });

        Assert.NotNull(kept);
        Assert.False(kept.IsInvalid);
        Assert.Equal(expected, kept.data<float>().ToArray());
        Assert.False(output.allclose(module.call(input)));
    }

    [Fact]
    public void BlockThatThrows_LeavesNoScopeOpen()
    {
        using DisposeScope scope = NewDisposeScope();
        using var model = new TorchModuleModel(Sequential(("block", Sequential(("linear", Linear(4, 4)),
            ("fails", new Failing())))));

        Assert.Throws<InvalidOperationException>(() => model.Forward(ones(1, 4), ForwardTaps.None));

        // Tensors made now belong to this test's scope again, not to a block's scope left behind.
        Tensor after = zeros(1);
        Assert.True(scope.Contains(after));
    }

    private sealed class Failing() : Module<Tensor, Tensor>(nameof(Failing))
    {
        public override Tensor forward(Tensor input) => throw new InvalidOperationException("fails on purpose");
    }
}
