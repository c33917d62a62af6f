using System.CommandLine;
using GradCamSharp.Models;
using TorchSharp;
using static TorchSharp.torch;
using GradCamSharp.Catalog;

namespace GradCamSharp.Cli.Commands;

/// <summary><c>gradcam layers</c>: every target layer with its output shape.</summary>
internal static class LayersCommand
{
    internal static Command Create()
    {
        var common = new CommonOptions();
        var command = CommandHelp.Create("layers", "List the model's layers with their output shapes", """
            List the model's layers in execution order with their output shapes for one input; any of these names can
            be given to 'gradcam explain --layer' (an ONNX graph exported from PyTorch also takes module paths such as
            layer4). The layer 'auto' chooses is marked with *. Values computed from weights alone are not listed.

            Examples:
              gradcam layers
              gradcam layers --model resnet50
            """);
        common.AddTo(command);
        command.SetAction(result =>
        {
            (string spec, ModelLoadOptions options) = common.Read(result);
            return Run(result.InvocationConfiguration.Output, spec, options);
        });
        return command;
    }

    /// <summary>Runs <c>layers</c>; returns the exit code.</summary>
    public static int Run(TextWriter output, string model, ModelLoadOptions options)
    {
        using LoadedModel loaded = ModelCatalog.Load(model, options);
        using DisposeScope scope = NewDisposeScope();
        // A volume model is probed with a volume: its declared sizes, 32 voxels where a size is free.
        static long Size(long declared) => declared > 0 ? declared : 32;
        Tensor input = loaded.Model.DeclaredInputShape is [_, var channels, var depth, var rows, var columns]
            ? zeros([1, Math.Max(1, channels), Size(depth), Size(rows), Size(columns)])
            : zeros(1, 3, loaded.Preprocessing.Height, loaded.Preprocessing.Width);
        IReadOnlyList<LayerInfo> layers = ModelLayers.Describe(loaded.Model, input);
        string? automatic = layers.Any(l => l.IsSpatialFeatureMap || l.Tokens is not null)
            ? ModelLayers.Resolve(loaded.Model, ModelLayers.Auto, input) : null;
        int width = Math.Max(5, layers.Max(l => l.Name.Length));
        output.WriteLine($"  {"layer".PadRight(width)}  {"shape",-20}  kind");
        foreach (LayerInfo layer in layers)
        {
            string mark = layer.Name == automatic ? "*" : " ";
            // How a transformer's layer is read as a map: its patch tokens' grid, or channels moved first.
            string reading = layer.Tokens is { } grid ? $"  ({grid.Height}x{grid.Width} tokens after {grid.Skipped})"
                : layer.IsChannelsLast ? "  (channels-last)" : "";
            output.WriteLine($"{mark} {layer.Name.PadRight(width)}  {"[" + string.Join(", ", layer.Shape) + "]",-20} " +
                $" {layer.Kind}{reading}");
        }
        return ExitCodes.Success;
    }
}
