using System.Runtime.CompilerServices;
using GradCamSharp.Models;
using GradCamSharp.Targets;
using TorchSharp;
using static TorchSharp.torch;

namespace GradCamSharp.Methods;

/// <summary>
/// The machinery every method shares, written once: one forward pass for any set of methods, then one
/// <c>autograd.grad</c> per score column, taken only with respect to what the methods read (never the weights).
/// </summary>
/// <remarks>
/// The target layer's output becomes a fresh leaf, so nothing before it is recorded for the layer gradient; when a
/// method also needs the guided gradient at the input, the ReLUs below the layer are guided and the layer gradient is
/// pushed on through them, so Grad-CAM, Guided Backprop, Guided Grad-CAM and the counterfactual map all come from the
/// same pass. That is exact when no ReLU follows the target layer (a classifier head of pooling and linear layers);
/// when one does, the guided gradient comes from a second pass with every ReLU guided.
/// </remarks>
internal static class ExplanationPass
{
    private static readonly ConditionalWeakTable<IExplainableModel, object> Turns = [];

    /// <summary>Explains a batch with every method of <paramref name="methods"/> (all on the same model).</summary>
    /// <returns>Explanations ordered by sample, then target, then method.</returns>
    public static IReadOnlyList<Explanation> Explain(IExplainableModel model, Tensor input,
        IReadOnlyList<IReadOnlyList<ITarget>> targetsPerSample, IReadOnlyList<Explainer> methods, RunOptions run)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(targetsPerSample);
        if (input.dim() != 4 && input.dim() != 5)
        {
            throw new UsageException("expected an [N, C, H, W] image or [N, C, D, H, W] volume input, got " +
                $"[{string.Join(", ", input.shape)}]");
        }
        if (input.dim() == 5 && methods.FirstOrDefault(m => !m.ExplainsVolumes) is { } planar)
        {
            throw new UsageException($"{planar.Name} does not explain volumes; the CAM methods that weigh a map's " +
                $"positions alike do: {string.Join(", ", KnownMethods.ForVolumes(model))}");
        }
        if (targetsPerSample.Count != input.shape[0])
            throw new ArgumentException($"{targetsPerSample.Count} target lists for a batch of {input.shape[0]}");
        if (methods.Any(m => !ReferenceEquals(m.Model, model)))
            throw new ArgumentException("every method of one pass must explain the same model");
        model.ValidateInput(input);

        lock (Turns.GetValue(model, _ => new object()))
        {
            // Methods reading the same layer share a pass; input-only methods join the first of them.
            var groups = methods.Select((method, index) => (Method: method, Index: index,
                    Layer: method.RequestedLayer is string requested
                        ? ModelLayers.Resolve(model, requested, input) : null))
                .GroupBy(m => m.Layer).ToList();
            if (groups.Count > 1 && groups.FirstOrDefault(g => g.Key is null) is { } inputOnly)
            {
                groups.Remove(inputOnly);
                var first = groups[0];
                groups[0] = first.Concat(inputOnly).GroupBy(_ => first.Key).Single();
            }
            var results = new List<(int Sample, int Column, int Method, Explanation Explanation)>();
            foreach (var group in groups)
            {
                results.AddRange(Run(model, input, targetsPerSample, group.Key,
                    group.Select(m => m.Method).ToArray(), group.Select(m => m.Index).ToArray(), run,
                    group.Select(m => m.Method.RequestedTokens).FirstOrDefault(t => t is not null)));
            }
            return results.OrderBy(r => r.Sample).ThenBy(r => r.Column).ThenBy(r => r.Method)
                .Select(r => r.Explanation).ToList();
        }
    }

    private static List<(int, int, int, Explanation)> Run(IExplainableModel model, Tensor input,
        IReadOnlyList<IReadOnlyList<ITarget>> targets, string? layer, Explainer[] methods, int[] order, RunOptions run,
        TokenGrid? givenTokens)
    {
        bool pixelGradients = methods.Any(m => m.NeedsPixelGradient);
        bool layerGradients = layer is not null && (pixelGradients || methods.Any(m => m.NeedsLayerGradient));
        using DisposeScope scope = NewDisposeScope();
        using IDisposable state = model.BeginExplanation();
        using IDisposable gradientMode = layerGradients || pixelGradients ? enable_grad() : no_grad();

        Tensor pixels = input.detach();
        if (pixelGradients) pixels.requires_grad_(true);
        Tensor? leaf = null, layerInGraph = null;
        TokenGrid? tokens = null;
        long layerDepth = 0;
        bool afterLayer = false, reluAfterLayer = false, channelsLast = false;
        int relus = 0;
        string[] wanted = [.. methods.SelectMany(m => m.ObservedLayers).Distinct()];
        var wantedSet = new HashSet<string>(wanted, StringComparer.Ordinal);
        var observed = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        var taps = new ForwardTaps
        {
            Layer = layer,
            ObservedLayers = wanted.Length == 0 ? null : wanted,
            ObserveEveryLayer = wanted.Length == 0 ? null : (name, value) =>
            {
                if (wantedSet.Contains(name)) observed[name] = value.detach().clone().OwnedBy(scope);
            },
            GuidedRelu = pixelGradients,
            ReluMet = () => relus++,
            GuidedReluWhen = layer is null ? null : () =>
            {
                reluAfterLayer |= afterLayer;
                return !afterLayer;
            },
            ReplaceLayerOutput = layer is null ? null : output =>
            {
                // A transformer's token layer is explained as the map of its patch tokens; the model reads that map
                // folded back into tokens, behind its leading tokens unchanged.
                tokens = output.dim() == 3 ? TokenGrid.Of(output, pixels, layer, givenTokens) : null;
                // A channels-last map (a Swin's blocks, [N, h, w, C]) is read channels first, and given back as it was.
                channelsLast = LayerInfo.IsChannelsLastMap(output.shape, pixels.shape);
                // A volume map, [N, K, d, h, w], is read with its slices one below the other, [N, K, d * h, w]: a
                // method that weighs positions alike computes on it exactly what it computes in three dimensions.
                layerDepth = output.dim() == 5 ? output.shape[2] : 0;
                Tensor map = tokens?.ToMap(output) ?? (channelsLast ? output.permute(0, 3, 1, 2)
                    : layerDepth > 0 ? output.flatten(2, 3) : output);
                // The model's own dispose scopes end before the backward pass, so what is kept moves to ours; the
                // model gets a copy, which it may dispose or modify in place.
                if (pixelGradients) layerInGraph = map.OwnedBy(scope);
                leaf = map.detach().requires_grad_(layerGradients).OwnedBy(scope);
                afterLayer = true;
                return tokens?.ToTokens(leaf, output.detach()) ?? (channelsLast ? leaf.permute(0, 2, 3, 1).contiguous()
                    : layerDepth > 0 ? leaf.reshape(output.shape).clone() : leaf.clone());
            },
        };
        Tensor output = model.Forward(pixels, taps);
        if (pixelGradients && relus == 0) throw ForwardTaps.NoRelu(methods.First(m => m.NeedsPixelGradient).Name);
        if (layer is not null && leaf is null)
            throw new InvalidOperationException($"layer '{layer}' did not run in the forward pass of {model.Name}");
        if (leaf is not null && leaf.dim() != 4)
        {
            throw new UsageException($"layer '{layer}' has shape [{string.Join(", ", leaf.shape)}]; " +
                "CAM methods need an [N, C, H, W] feature map, [N, tokens, C] patch tokens or, for a volume, an " +
                "[N, C, D, H, W] map (the model's Layers list the others)");
        }

        IReadOnlyList<ScoreColumn> columns = ScoreColumns.Build(output, targets);
        bool separateGuidedPass = pixelGradients && layer is not null && reluAfterLayer;
        Tensor[]? guided = separateGuidedPass ? GuidedPixelGradients(model, input, targets) : null;
        if (input.dim() == 5 && layer is not null && layerDepth == 0)
            throw new UsageException($"layer '{layer}' of a volume model is no [N, C, D, H, W] volume map");
        var pass = new PassResult(pixels.detach(), layer, leaf?.detach(), run)
        {
            Observed = observed, LayerDepth = layerDepth,
            SampleClasses = [.. Enumerable.Range(0, (int)input.shape[0]).Select(sample => (IReadOnlyList<int>)
                [.. columns.SelectMany(c => c.Entries).Where(e => e.Sample == sample && e.ClassIndex is not null)
                    .Select(e => e.ClassIndex!.Value).Distinct()])],
        };
        var results = new List<(int, int, int, Explanation)>();
        for (int j = 0; j < columns.Count; j++)
        {
            ScoreColumn column = columns[j];
            bool retain = !column.IsLast;
            Tensor? layerGradient = layerGradients ? Gradient(column.Total, leaf!, retain) : null;
            Tensor? pixelGradient = !pixelGradients ? null
                : guided is not null ? guided[j]
                : layer is null ? Gradient(column.Total, pixels, retain)
                : Gradient(layerInGraph!, pixels, retain, layerGradient);
            var gradients = new ColumnGradients(layerGradient, pixelGradient);
            for (int m = 0; m < methods.Length; m++)
            {
                IReadOnlyList<Explanation> explained = methods[m].Interpret(pass, column, gradients);
                for (int k = 0; k < explained.Count; k++)
                {
                    Explanation explanation = explained[k];
                    if (tokens is not null && explanation.Layer == layer)
                        explanation = explanation with { Tokens = tokens };
                    results.Add((column.Entries[k].Sample, j, order[m], explanation));
                }
            }
        }
        return results;
    }

    /// <summary>Guided Backpropagation through every ReLU, one gradient per score column.</summary>
    private static Tensor[] GuidedPixelGradients(IExplainableModel model, Tensor input,
        IReadOnlyList<IReadOnlyList<ITarget>> targets)
    {
        Tensor pixels = input.detach().requires_grad_(true);
        int relus = 0;
        Tensor output = model.Forward(pixels, new ForwardTaps { GuidedRelu = true, ReluMet = () => relus++ });
        if (relus == 0) throw ForwardTaps.NoRelu(KnownMethods.GuidedBackprop);
        IReadOnlyList<ScoreColumn> columns = ScoreColumns.Build(output, targets);
        return columns.Select(column => Gradient(column.Total, pixels, !column.IsLast)).ToArray();
    }

    private static Tensor Gradient(Tensor of, Tensor with, bool retainGraph, Tensor? outputGradient = null)
    {
        Tensor? gradient = autograd.grad([of], [with], outputGradient is null ? null : [outputGradient],
            retain_graph: retainGraph, allow_unused: true)[0];
        return gradient is null || gradient.IsInvalid ? zeros_like(with) : gradient;
    }
}
