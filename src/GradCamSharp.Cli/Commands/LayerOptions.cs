using System.CommandLine;
using GradCamSharp.Methods;
using GradCamSharp.Models;
using GradCamSharp.Pipeline;

namespace GradCamSharp.Cli.Commands;

/// <summary>
/// <c>--layer</c>, repeatable to fuse several layers' maps, and <c>--layer-fusion</c>: the target layers of the
/// commands whose pipelines fuse them (<c>explain</c>, <c>detect</c>), read into one place of the settings.
/// </summary>
internal sealed class LayerOptions
{
    /// <summary>The options, <paramref name="layerHelp"/> describing a layer and what <c>auto</c> is.</summary>
    public LayerOptions(string layerHelp)
    {
        Layer = new Option<string[]>("--layer", "-l")
        {
            Description = $"{layerHelp}; repeat to fuse several layers' maps (see --layer-fusion)",
        };
    }

    public Option<string[]> Layer { get; }

    public Option<string> Fusion { get; } = new("--layer-fusion")
    {
        Description = "With several --layer: 'mean' of the maps, or LayerCAM's 'scaled-sum' (tanh-rescaled maps " +
            "summed, which lifts shallow layers)",
        DefaultValueFactory = _ => "mean",
    };

    public void AddTo(Command command)
    {
        command.Add(Layer);
        command.Add(Fusion);
    }

    /// <summary><paramref name="settings"/> with the layer (or layers, fused) and the fusion asked for.</summary>
    /// <exception cref="UsageException">An unknown fusion.</exception>
    public ExplanationSettings Apply(ParseResult result, ExplanationSettings settings)
    {
        string[] layers = result.GetValue(Layer) ?? [];
        return settings with
        {
            Layer = layers is [string first, ..] ? first : ModelLayers.Auto,
            Layers = layers.Length > 1 ? layers : [],
            LayerFusion = ParseFusion(result.GetValue(Fusion)!),
        };
    }

    /// <summary>
    /// The layers that <c>auto</c> stood for in <paramref name="written"/>, the layers of the maps written: a fused
    /// map's layer joins its layers' names in the order asked (<see cref="Explanation.JoinLayers"/>); the input
    /// gradient methods' layer is not one of them.
    /// </summary>
    public static IEnumerable<string> AutoChosen(ExplanationSettings settings, IEnumerable<string> written)
    {
        ArgumentNullException.ThrowIfNull(settings);
        IReadOnlyList<string> asked = settings.Layers.Count > 0 ? settings.Layers : [settings.Layer];
        return written.Distinct()
            .Select(layer => asked.Count == 1 ? [layer] : Explanation.SplitLayers(layer))
            .Where(parts => parts.Length == asked.Count)
            .SelectMany(parts => parts.Where((_, k) => string.Equals(asked[k], ModelLayers.Auto,
                StringComparison.OrdinalIgnoreCase)))
            .Where(layer => layer != GuidedBackprop.InputLayer)
            .Distinct();
    }

    /// <summary>"mean" or "scaled-sum".</summary>
    /// <exception cref="UsageException">Anything else.</exception>
    private static LayerFusion ParseFusion(string text) => text.ToLowerInvariant() switch
    {
        "mean" => LayerFusion.Mean,
        "scaled-sum" => LayerFusion.ScaledSum,
        _ => throw new UsageException($"unknown --layer-fusion '{text}'; known: mean, scaled-sum"),
    };
}
