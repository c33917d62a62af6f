using TorchSharp;
using static TorchSharp.torch;

namespace GradCamSharp.Models;

/// <summary>Lists a model's layers with their output shapes and resolves target-layer names.</summary>
public static class ModelLayers
{
    /// <summary>The name that asks for the last spatial feature map.</summary>
    public const string Auto = "auto";

    /// <summary>Runs one gradient-free forward pass on <paramref name="input"/> and records every layer's output shape.</summary>
    /// <returns>Layers in the order their outputs were produced; a layer run twice appears once, at its last run.</returns>
    public static IReadOnlyList<LayerInfo> Describe(IExplainableModel model, Tensor input)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(input);
        using DisposeScope scope = NewDisposeScope();
        using IDisposable state = model.BeginExplanation();
        using var noGrad = no_grad();
        var lastRuns = new Dictionary<string, (int Order, LayerInfo Info)>(StringComparer.Ordinal);
        int order = 0;
        model.Forward(input, new ForwardTaps
        {
            ObserveEveryLayer = (name, output) =>
                lastRuns[name] = (order++, new LayerInfo(name, output.shape, KindOf(model, name))),
        });
        return lastRuns.Values.OrderBy(run => run.Order).Select(run => run.Info).ToList();
    }

    /// <summary>
    /// Resolves <paramref name="requested"/> to a layer of <paramref name="model"/>: an exact name, or
    /// <see cref="Auto"/> for the last [N, C, H, W] output with more than one spatial position.
    /// </summary>
    /// <exception cref="UnknownLayerException">The name is not a layer of the model.</exception>
    /// <exception cref="InvalidOperationException"><see cref="Auto"/> found no spatial feature map.</exception>
    public static LayerInfo Resolve(IExplainableModel model, string requested, Tensor input)
    {
        ArgumentNullException.ThrowIfNull(requested);
        if (requested != Auto && !model.LayerNames.Contains(requested, StringComparer.Ordinal))
            throw new UnknownLayerException(requested, model.LayerNames);
        IReadOnlyList<LayerInfo> layers = Describe(model, input);
        if (requested == Auto)
        {
            return layers.LastOrDefault(layer => layer.IsSpatialFeatureMap)
                ?? throw new InvalidOperationException(
                    $"'{Auto}' found no layer with a [N, C, H, W] output larger than 1x1 in {model.Name}; name a layer");
        }
        return layers.FirstOrDefault(layer => layer.Name == requested)
            ?? throw new InvalidOperationException($"layer '{requested}' exists but did not run for this input");
    }

    private static string KindOf(IExplainableModel model, string name) => model switch
    {
        ILayerKinds kinds => kinds.KindOf(name),
        _ => "",
    };
}
