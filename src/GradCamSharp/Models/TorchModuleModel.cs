using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace GradCamSharp.Models;

/// <summary>
/// Adapts any TorchSharp <c>Module&lt;Tensor, Tensor&gt;</c> (TorchVision architectures included) for explanation.
/// Layers are addressed by their <c>named_modules()</c> path, e.g. <c>layer4.1</c>; taps are forward hooks that exist
/// only for the duration of one <see cref="Forward"/> call. Hooks fire only for submodules invoked through
/// <c>call()</c>. Models with several inputs (a captioner's image and words, a VQA model's image and question) are
/// explained through a delegate that holds the other inputs fixed.
/// </summary>
/// <remarks>The model owns its module and disposes it, unless created with <c>leaveOpen</c>.</remarks>
public sealed class TorchModuleModel : IExplainableModel
{
    private readonly Module _module;
    private readonly Func<Tensor, Tensor> _forward;
    private readonly Dictionary<string, Module<Tensor, Tensor>> _hookable;
    private readonly Module<Tensor, Tensor>[] _containers;
    private readonly Func<Module, bool> _endsWithRelu;
    private readonly bool _leaveOpen;

    /// <summary>Wraps <paramref name="module"/>.</summary>
    /// <param name="module">The model; it is not copied, and every flag it has is restored after each
    /// explanation.</param>
    /// <param name="name">A display name; defaults to the module's type name.</param>
    /// <param name="endsWithRelu">
    /// Tells Guided Backpropagation which modules end in a functional ReLU that is not a <c>ReLU</c> module of its own,
    /// so that their outputs are guided too. The default recognises TorchVision's ResNet blocks.
    /// </param>
    /// <param name="leaveOpen">Whether the module stays alive when this model is disposed.</param>
    public TorchModuleModel(Module<Tensor, Tensor> module, string? name = null, Func<Module, bool>? endsWithRelu = null,
        bool leaveOpen = false)
        : this(module, (module ?? throw new ArgumentNullException(nameof(module))).call, name, endsWithRelu, leaveOpen)
    {
    }

    /// <summary>Wraps a module of any signature, run on an image by <paramref name="forward"/>.</summary>
    /// <param name="module">The root module whose submodules are the layers.</param>
    /// <param name="forward">Runs the module on an [N, C, H, W] image, the other inputs fixed, e.g.
    /// <c>image =&gt; captioner.call(image, words)</c>.</param>
    /// <param name="name">A display name; defaults to the module's type name.</param>
    /// <param name="endsWithRelu">As in the other constructor.</param>
    /// <param name="leaveOpen">Whether the module stays alive when this model is disposed.</param>
    public TorchModuleModel(Module module, Func<Tensor, Tensor> forward, string? name = null,
        Func<Module, bool>? endsWithRelu = null, bool leaveOpen = false)
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentNullException.ThrowIfNull(forward);
        _module = module;
        _forward = forward;
        _leaveOpen = leaveOpen;
        Name = name ?? module.GetType().Name;
        _endsWithRelu = endsWithRelu ?? IsTorchVisionResidualBlock;
        _hookable = module.named_modules()
            .Where(entry => entry.module is Module<Tensor, Tensor>)
            .ToDictionary(entry => entry.name, entry => (Module<Tensor, Tensor>)entry.module, StringComparer.Ordinal);
        LayerNames = [.. _hookable.Keys];
        _containers = [.. _hookable.Values.Where(m => m.children().Any())];
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <summary>The wrapped module.</summary>
    public Module Module => _module;

    /// <inheritdoc />
    public IReadOnlyList<string> LayerNames { get; }

    /// <inheritdoc />
    /// <remarks>Conv2d and Linear modules' biases, and BatchNorm2d's effective bias (bias - running mean x weight /
    /// sqrt(running variance + eps)).</remarks>
    public IReadOnlyList<LayerBias> LayerBiases()
    {
        var biases = new List<LayerBias>();
        foreach ((string name, Module<Tensor, Tensor> layer) in _hookable)
        {
            Tensor? bias = layer switch
            {
                TorchSharp.Modules.Conv2d conv => conv.bias,
                TorchSharp.Modules.Linear linear => linear.bias,
                TorchSharp.Modules.BatchNorm2d { running_mean: Tensor mean, running_var: Tensor variance } norm =>
                    (norm.bias ?? torch.zeros_like(mean)) - mean * (norm.weight ?? torch.ones_like(mean))
                        / (variance + norm.eps).sqrt(),
                _ => null,
            };
            if (bias is not null) biases.Add(new LayerBias(name, bias.detach()));
        }
        return biases;
    }

    /// <inheritdoc />
    public Tensor Forward(Tensor input, ForwardTaps taps)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(taps);
        var removers = new List<Action>();
        var openScopes = new Stack<DisposeScope>();
        // What this pass makes at its own level, and whatever a tap keeps, ends in the caller's scope; what each
        // container block makes inside is freed when the block returns (see FreeIntermediates).
        DisposeScope pass = torch.NewDisposeScope();
        try
        {
            if (taps.ObserveEveryLayer is not null)
            {
                Action<string, Tensor> observe = taps.ObserveEveryLayer;
                foreach ((string name, Module<Tensor, Tensor> layer) in _hookable)
                {
                    removers.Add(layer.register_forward_hook((_, _, output) =>
                    {
                        observe(name, output);
                        return output;
                    }).remove);
                }
            }
            if (taps.GuidedRelu)
            {
                // Registered before the layer tap, so that a ReLU chosen as target layer is guided before it is tapped.
                foreach (Module<Tensor, Tensor> layer in _hookable.Values.Where(m => m is TorchSharp.Modules.ReLU
                    || _endsWithRelu(m)))
                {
                    removers.Add(layer.register_forward_hook((_, _, output) =>
                        taps.GuideThisRelu() ? GuidedRelu.ApplyAfterRelu(output) : output).remove);
                }
            }
            if (taps.DeconvnetRelu)
            {
                if (DeconvnetObstacle is string obstacle) throw new UsageException(obstacle);
                foreach (TorchSharp.Modules.ReLU relu in _hookable.Values.OfType<TorchSharp.Modules.ReLU>())
                {
                    // An in-place ReLU would overwrite the input the rule starts from: run it out of place this once.
                    if (relu.inplace)
                    {
                        relu.inplace = false;
                        removers.Add(() => relu.inplace = true);
                    }
                    removers.Add(relu.register_forward_hook((_, input, output) =>
                        taps.DeconvnetThisRelu() ? DeconvnetRelu.Apply(input) : output).remove);
                }
            }
            if (taps.ReplaceEveryLayerOutput is not null)
            {
                Func<string, Tensor, Tensor> replace = taps.ReplaceEveryLayerOutput;
                foreach ((string name, Module<Tensor, Tensor> layer) in _hookable)
                {
                    removers.Add(layer.register_forward_hook((_, _, output) =>
                        KeptFor(pass, () => replace(name, output))).remove);
                }
            }
            if (taps.Layer is not null && taps.ReplaceLayerOutput is not null)
            {
                if (!_hookable.TryGetValue(taps.Layer, out Module<Tensor, Tensor>? layer))
                    throw new UnknownLayerException(taps.Layer, LayerSuggestions.Closest(taps.Layer, LayerNames, 5));
                Func<Tensor, Tensor> replace = taps.ReplaceLayerOutput;
                removers.Add(layer.register_forward_hook((_, _, output) => KeptFor(pass, () => replace(output)))
                    .remove);
            }
            // Last, so that each container's own hooks above have replaced its output before it is kept.
            if (taps.ObserveEveryLayer is null) FreeIntermediates(removers, openScopes);
            Tensor result = _forward(input);
            pass.MoveToOuter(pass.DisposablesView.ToArray());
            return result;
        }
        finally
        {
            // A submodule that threw leaves its scope open: close it (innermost first) with what it made.
            while (openScopes.Count > 0) openScopes.Pop().Dispose();
            pass.Dispose();
            foreach (Action remove in removers) remove();
        }
    }

    /// <summary>
    /// Runs a tap so that every tensor it makes (the value it returns, a copy it keeps) belongs to
    /// <paramref name="pass"/>, and so outlives the block the tapped layer sits in.
    /// </summary>
    private static Tensor KeptFor(DisposeScope pass, Func<Tensor> tap)
    {
        using DisposeScope inTap = torch.NewDisposeScope();
        Tensor result = tap();
        inTap.MoveToOther(pass, inTap.DisposablesView.ToArray());
        return result;
    }

    /// <summary>
    /// Frees what each container submodule (a residual block, a Sequential stage) makes besides its output as soon
    /// as it returns, instead of when the caller's dispose scope ends: a forward then holds one block's intermediates
    /// at a time, as PyTorch's reference counting does, rather than every value of the whole pass. Values autograd
    /// needs stay alive in its graph, and what a tap makes is kept (<see cref="KeptFor"/>). Off while every layer is
    /// observed, since observers may hold what they are shown.
    /// </summary>
    private void FreeIntermediates(List<Action> removers, Stack<DisposeScope> openScopes)
    {
        foreach (Module<Tensor, Tensor> container in _containers)
        {
            removers.Add(container.register_forward_pre_hook((_, input) =>
            {
                openScopes.Push(torch.NewDisposeScope());
                return input;
            }).remove);
            removers.Add(container.register_forward_hook((_, _, output) =>
            {
                DisposeScope scope = openScopes.Pop();
                // An output made inside moves out; one that is the input itself (an empty stage) stays where it is.
                if (scope.Contains(output)) output.MoveToOuterDisposeScope();
                scope.Dispose();
                return output;
            }).remove);
        }
    }

    /// <inheritdoc />
    /// <remarks>
    /// The rule needs each ReLU's input, which only ReLU modules expose; a ReLU run inside a module's own code (a
    /// residual block's last one) would silently keep the plain rule.
    /// </remarks>
    public string? DeconvnetObstacle =>
        _hookable.Values.FirstOrDefault(m => m is not TorchSharp.Modules.ReLU && _endsWithRelu(m)) is { } block
            ? $"the deconvnet rule needs every ReLU as a ReLU module; {Name} applies ReLUs inside " +
                $"{block.GetType().Name} code (use its ONNX export instead)"
            : null;

    /// <inheritdoc />
    public string? ReluObstacle => _hookable.Values.Any(m => m is TorchSharp.Modules.ReLU || _endsWithRelu(m)) ? null
        : ForwardTaps.NoReluObstacle;

    /// <inheritdoc />
    public string KindOf(string layer) => _hookable.TryGetValue(layer, out Module<Tensor, Tensor>? module)
        ? module.GetType().Name : "";

    /// <inheritdoc />
    public IDisposable BeginExplanation() => new ExplanationState(_module);

    /// <inheritdoc />
    public void Dispose()
    {
        if (!_leaveOpen) _module.Dispose();
    }

    private static bool IsTorchVisionResidualBlock(Module module)
    {
        Type type = module.GetType();
        return type.Namespace?.StartsWith("TorchSharp", StringComparison.Ordinal) == true
            && type.Name is "BasicBlock" or "Bottleneck";
    }

    /// <summary>Switches to eval mode and freezes parameters; restores both exactly on disposal.</summary>
    private sealed class ExplanationState : IDisposable
    {
        private readonly List<(Module Module, bool Training)> _trainingFlags = [];
        private readonly List<(Tensor Parameter, bool RequiresGrad)> _gradientFlags = [];
        private bool _disposed;

        public ExplanationState(Module root)
        {
            // Parents precede their descendants in named_modules(), so restoring in this order is exact even though
            // train() recurses.
            IEnumerable<Module> modules = [root, .. root.named_modules().Select(entry => entry.module)];
            if (modules.Any(m => m.training))
            {
                _trainingFlags.AddRange(modules.Select(m => (m, m.training)));
                root.eval();
            }
            foreach (Tensor parameter in root.parameters())
            {
                if (!parameter.requires_grad) continue;
                _gradientFlags.Add((parameter, true));
                parameter.requires_grad = false;
            }
        }

        public void Dispose()
        {
            if (_disposed) return;
            _disposed = true;
            foreach ((Tensor parameter, bool requiresGrad) in _gradientFlags) parameter.requires_grad = requiresGrad;
            foreach ((Module module, bool training) in _trainingFlags) module.train(training);
        }
    }
}
