using System.CommandLine;
using GradCamSharp.Models;
using GradCamSharp.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace GradCamSharp.Cli.Commands;

/// <summary><c>gradcam layers</c>: every target layer with its output shape.</summary>
public static class LayersCommand
{
    internal static Command Create()
    {
        var common = new CommonOptions();
        var command = CommandHelp.Create("layers", "List the model's layers with their output shapes", """
            List the model's layers in execution order with their output shapes for one input; any of these names can
            be given to 'gradcam explain --layer'. The layer 'auto' would choose is marked with *.

            Examples:
              gradcam layers
              gradcam layers --model resnet50
            """);
        common.AddTo(command);
        command.SetAction(result =>
        {
            (string spec, ModelLoadOptions options) = common.Read(result);
            return Run(result.InvocationConfiguration.Output, result.InvocationConfiguration.Error, spec, options);
        });
        return command;
    }

    /// <summary>Runs <c>layers</c>; returns the exit code.</summary>
    public static int Run(TextWriter output, TextWriter error, string model, ModelLoadOptions options)
    {
        try
        {
            using LoadedModel loaded = ModelCatalog.Load(model, options);
            using DisposeScope scope = NewDisposeScope();
            Tensor input = zeros(1, 3, loaded.Preprocessing.Height, loaded.Preprocessing.Width);
            IReadOnlyList<LayerInfo> layers = ModelLayers.Describe(loaded.Model, input);
            LayerInfo? automatic = loaded.DefaultLayer != ModelLayers.Auto
                ? layers.FirstOrDefault(l => l.Name == loaded.DefaultLayer)
                : layers.LastOrDefault(l => l.IsSpatialFeatureMap);
            int width = Math.Max(5, layers.Max(l => l.Name.Length));
            output.WriteLine($"  {"layer".PadRight(width)}  {"shape",-20}  kind");
            foreach (LayerInfo layer in layers)
            {
                string mark = ReferenceEquals(layer, automatic) ? "*" : " ";
                output.WriteLine($"{mark} {layer.Name.PadRight(width)}  {"[" + string.Join(", ", layer.Shape) + "]",-20}  {layer.Kind}");
            }
            return ExitCodes.Success;
        }
        catch (Exception exception)
        {
            return Failures.Report(exception, error);
        }
    }
}
