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
        return FindAuto(DescribedOnce(model, input), model.Name).Name;
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
    private static IReadOnlyList<LayerInfo> DescribedOnce(IExplainableModel model, Tensor input)
    {
        string key = string.Join("x", input.shape.Skip(1));
        return Described.GetValue(model, _ => new ConcurrentDictionary<string, IReadOnlyList<LayerInfo>>())
            .GetOrAdd(key, _ =>
            {
                using Tensor probe = input[..1].detach();
                return Describe(model, probe);
            });
    }

    /// <summary>
    /// The layer <see cref="Auto"/> means among <paramref name="layers"/>: the last spatial feature map.
    /// </summary>
    /// <exception cref="UsageException">There is none.</exception>
    public static LayerInfo FindAuto(IReadOnlyList<LayerInfo> layers, string modelName)
    {
        ArgumentNullException.ThrowIfNull(layers);
        return layers.LastOrDefault(layer => layer.IsSpatialFeatureMap)
            ?? throw new UsageException($"'{Auto}' found no [N, C, H, W] feature map larger than 1x1 in {modelName}; " +
                "name a layer (see 'gradcam layers')");
    }
}
