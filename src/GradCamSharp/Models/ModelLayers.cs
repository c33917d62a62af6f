using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using TorchSharp;
using static TorchSharp.torch;

namespace GradCamSharp.Models;

/// <summary>
/// Lists a model's layers with their output shapes and resolves target-layer names: the one place where a name as a
/// user gives it, or <see cref="Auto"/>, becomes a layer of the model.
/// </summary>
public static class ModelLayers
{
    /// <summary>The name that asks for the last spatial feature map.</summary>
    public const string Auto = "auto";

    /// <summary>Each model's layers per input size (C x H x W), described once.</summary>
    private static readonly ConditionalWeakTable<IExplainableModel,
        ConcurrentDictionary<string, IReadOnlyList<LayerInfo>>> Described = [];

    /// <summary>
    /// Runs one gradient-free forward pass on <paramref name="input"/> and records every layer's output shape.
    /// </summary>
    /// <returns>Layers in the order their outputs were produced; a layer run twice appears once, at its last
    /// run.</returns>
    public static IReadOnlyList<LayerInfo> Describe(IExplainableModel model, Tensor input)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(input);
        model.ValidateInput(input);
        using DisposeScope scope = NewDisposeScope();
        using IDisposable state = model.BeginExplanation();
        using var noGrad = no_grad();
        var lastRuns = new Dictionary<string, (int Order, LayerInfo Info)>(StringComparer.Ordinal);
        int order = 0;
        model.Forward(input, new ForwardTaps
        {
            ObserveEveryLayer = (name, output) =>
                lastRuns[name] = (order++, LayerInfo.Of(name, output.shape, model.KindOf(name), input.shape)),
        });
        return lastRuns.Values.OrderBy(run => run.Order).Select(run => run.Info).ToList();
    }

    /// <summary>
    /// Resolves <paramref name="requested"/> to a layer of <paramref name="model"/>: a name the model accepts (see
    /// <see cref="IExplainableModel.FindLayer"/>), or <see cref="Auto"/> for the last spatial feature map, found once
    /// per model and input size (thread-safe).
    /// </summary>
    /// <exception cref="UnknownLayerException">The name is not a layer of the model.</exception>
    /// <exception cref="UsageException"><see cref="Auto"/> found no spatial feature map.</exception>
    public static string Resolve(IExplainableModel model, string requested, Tensor input)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(requested);
        ArgumentNullException.ThrowIfNull(input);
        if (!string.Equals(requested, Auto, StringComparison.OrdinalIgnoreCase))
            return model.FindLayer(requested) ?? throw new UnknownLayerException(requested,
                model.SuggestLayers(requested, 5));
        return AutoLayers.GetValue(model, _ => new ConcurrentDictionary<string, string>()).GetOrAdd(
            SizeOf(input), _ => FindAuto(model, input).Name);
    }

    /// <summary>Each model's automatic layer per input size, found once.</summary>
    private static readonly ConditionalWeakTable<IExplainableModel, ConcurrentDictionary<string, string>>
        AutoLayers = [];

    /// <summary>
    /// The layer <see cref="Auto"/> means for <paramref name="model"/>: the last spatial feature map of a CNN; for a
    /// transformer, whose token layers follow its last map (the patch embedding), the last token layer on which the
    /// top score still depends through its patch tokens (see <see cref="LastTokenLayerReachingTheScore"/>), of the
    /// residual stream's width where there is one.
    /// </summary>
    /// <exception cref="UsageException">There is none.</exception>
    public static LayerInfo FindAuto(IExplainableModel model, Tensor input)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(input);
        IReadOnlyList<LayerInfo> layers = DescribedOnce(model, input);
        if (model.AutomaticLayer is string named
            && layers.FirstOrDefault(layer => layer.Name == named && layer.IsSpatialFeatureMap) is LayerInfo own)
            return own;
        if (BackboneEndOfASegmenter(layers) is LayerInfo backbone) return backbone;
        int lastMap = layers.Select((layer, index) => layer.IsSpatialFeatureMap ? index : -1).Max();
        // Tokens that are the last map's cells (a ViT's patch embedding, folded): a sequence model whose tokens
        // are some other arrangement keeps its map.
        LayerInfo[] tokenLayers = [.. layers.Skip(lastMap + 1).Where(layer => layer.Tokens is { } grid
            && (lastMap < 0 || (grid.Height == layers[lastMap].Shape[2] && grid.Width == layers[lastMap].Shape[3])))];
        // The residual stream keeps the patch embedding's width; a block's inner projections (queries, keys and
        // values together, the MLP's hidden layer) are wider and mix what the methods should weigh apart.
        LayerInfo[] stream = lastMap < 0 ? []
            : [.. tokenLayers.Where(layer => layer.Shape[^1] == layers[lastMap].Shape[1])];
        if (stream.Length > 0) tokenLayers = stream;
        if (tokenLayers.Length > 0)
        {
            using Tensor probe = input[..1].detach();
            if (LastTokenLayerReachingTheScore(model, probe, tokenLayers) is LayerInfo chosen) return chosen;
        }
        return FindAuto(layers, model.Name);
    }

    /// <summary>
    /// A semantic segmenter's automatic layer, or null for other models: where the output is a map of 2 or more
    /// classes, [N, K, H, W], the last map of the backbone before the classifier head (pytorch-grad-cam's segmentation
    /// tutorial takes the backbone's last block), not the output itself. The head is the module, below the path every
    /// layer shares, that computes the class scores (the last K-channel map before the output: torchvision's
    /// <c>classifier</c>); where values carry no module paths, the layers from the first K-channel map on.
    /// </summary>
    private static LayerInfo? BackboneEndOfASegmenter(IReadOnlyList<LayerInfo> layers)
    {
        if (layers.Count < 2 || layers[^1] is not { IsSpatialFeatureMap: true, Shape: [_, >= 2, var h, var w] } output
            || h * w <= 1)
        {
            return null;
        }
        long classes = output.Shape[1];
        bool Maps(LayerInfo layer) => layer.IsSpatialFeatureMap && !layer.IsChannelsLast;
        int scores = Enumerable.Range(0, layers.Count - 1).LastOrDefault(i => Maps(layers[i])
            && layers[i].Shape[1] == classes, layers.Count - 1);
        static string[] PathOf(string name) => name.Split('/', StringSplitOptions.RemoveEmptyEntries)[..^1];
        string[][] paths = [.. layers.Where(Maps).Select(l => PathOf(l.Name)).Where(p => p.Length > 0)];
        string[] scorePath = PathOf(layers[scores].Name);
        // An output named by the exporter ("detections") carries no module path; the head's value just before it
        // does (a single-tensor detector's head ends in the output itself).
        if (scorePath.Length == 0 && scores == layers.Count - 1) scorePath = PathOf(layers[scores - 1].Name);
        int shared = paths.Length == 0 ? 0 : Enumerable.Range(0, paths.Min(p => p.Length))
            .TakeWhile(k => paths.All(p => p[k] == paths[0][k])).Count();
        int headStart;
        if (scorePath.Length > shared)
        {
            string head = "/" + string.Join('/', scorePath[..(shared + 1)]) + "/";
            headStart = Enumerable.Range(0, scores + 1)
                .First(i => layers[i].Name.StartsWith(head, StringComparison.Ordinal));
        }
        else
        {
            headStart = Enumerable.Range(0, scores + 1).First(i => Maps(layers[i]) && layers[i].Shape[1] == classes);
        }
        return layers.Take(headStart).LastOrDefault(Maps);
    }

    /// <summary>
    /// Among <paramref name="candidates"/> (token layers, in the order they run), the last one where the top score's
    /// gradient reaches at least 90% of the patch tokens. After a ViT's last attention only the class token reaches
    /// the head, so the blocks' later values give blank maps; this finds the first norm of the last block, the layer
    /// pytorch-grad-cam's documentation recommends, from the graph's own gradients rather than from names.
    /// </summary>
    private static LayerInfo? LastTokenLayerReachingTheScore(IExplainableModel model, Tensor input,
        IReadOnlyList<LayerInfo> candidates)
    {
        using DisposeScope scope = NewDisposeScope();
        using IDisposable state = model.BeginExplanation();
        using var gradients = enable_grad();
        Tensor pixels = input.detach().requires_grad_(true);
        var wanted = candidates.ToDictionary(layer => layer.Name, StringComparer.Ordinal);
        var values = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        Tensor output = model.Forward(pixels, new ForwardTaps
        {
            // An alias of each value: the model may free its own handles before the backward pass.
            ObserveEveryLayer = (name, value) =>
            {
                if (wanted.ContainsKey(name) && value.requires_grad) values[name] = value.alias().OwnedBy(scope);
            },
        });
        string[] names = [.. candidates.Select(layer => layer.Name).Where(values.ContainsKey)];
        if (names.Length == 0) return null;
        Tensor score = output.reshape(1, -1).max();
        IList<Tensor> grads = autograd.grad([score], [.. names.Select(name => values[name])], allow_unused: true);
        for (int i = names.Length - 1; i >= 0; i--)
        {
            if (grads[i] is not { IsInvalid: false } gradient) continue;
            TokenGrid grid = wanted[names[i]].Tokens!;
            Tensor reached = gradient[0, grid.Skipped..].abs().sum(1).gt(0);
            if (reached.to(ScalarType.Float32).mean().item<float>() >= 0.9f) return wanted[names[i]];
        }
        return null;
    }

    /// <summary>
    /// The most values any layer of <paramref name="model"/> outputs for one input of <paramref name="input"/>'s size
    /// (at least the input's own), found once per model and input size (thread-safe): what a pass's working memory
    /// grows with.
    /// </summary>
    public static long LargestLayerValues(IExplainableModel model, Tensor input)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(input);
        return DescribedOnce(model, input).Aggregate(input.numel() / Math.Max(1, input.shape[0]),
            (largest, layer) => Math.Max(largest, layer.Shape.Aggregate(1L, (product, size) => product * size)));
    }

    /// <summary>
    /// <see cref="Describe"/> for one input of <paramref name="input"/>'s size, run once per model and input size
    /// (thread-safe).
    /// </summary>
    internal static IReadOnlyList<LayerInfo> DescribedOnce(IExplainableModel model, Tensor input)
    {
        return Described.GetValue(model, _ => new ConcurrentDictionary<string, IReadOnlyList<LayerInfo>>())
            .GetOrAdd(SizeOf(input), _ =>
            {
                using Tensor probe = input[..1].detach();
                return Describe(model, probe);
            });
    }

    /// <summary>
    /// The last spatial feature map among <paramref name="layers"/>: what <see cref="Auto"/> means for a CNN.
    /// </summary>
    /// <exception cref="UsageException">There is none.</exception>
    public static LayerInfo FindAuto(IReadOnlyList<LayerInfo> layers, string modelName)
    {
        ArgumentNullException.ThrowIfNull(layers);
        return layers.LastOrDefault(layer => layer.IsSpatialFeatureMap)
            ?? throw new UsageException($"'{Auto}' found no [N, C, H, W] feature map larger than 1x1 in {modelName}; " +
                "name a layer (ModelLayers.Describe lists them with their shapes; 'gradcam layers' on the command " +
                "line)");
    }

    /// <summary>One input's size, C x H x W: what the per-model caches are keyed by.</summary>
    private static string SizeOf(Tensor input) => string.Join("x", input.shape.Skip(1));
}
