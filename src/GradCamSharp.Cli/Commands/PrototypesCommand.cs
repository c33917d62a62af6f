using System.CommandLine;
using GradCamSharp.Models;
using GradCamSharp.Pipeline;

namespace GradCamSharp.Cli.Commands;

/// <summary>
/// <c>gradcam prototypes</c>: recomputes the default model's built-in prototype head from its example crops.
/// </summary>
public static class PrototypesCommand
{
    /// <summary>The prototype file in the source tree.</summary>
    public const string SourceFile = "src/GradCamSharp.Pipeline/Prototypes/resnet18-everyday.json";

    internal static Command Create()
    {
        var file = new Option<string>("--file") { Description = "The prototype file to regenerate (its 'examples' " +
            "are read, its 'prototypes' rewritten)", DefaultValueFactory = _ => SourceFile };
        var samples = new Option<string>("--samples") { Description = "The folder the example paths are relative to",
            DefaultValueFactory = _ => "samples" };
        const string summary = "Recompute the default model's prototype head from its example crops";
        var command = CommandHelp.Create("prototypes", summary, """
            Recompute the default model's prototype head: each label's vector is the mean ResNet18 feature of its
            example crops (and their mirror images). Run from the repository root after editing the examples; rebuild
            to use it.

            Example:
              gradcam prototypes
            """);
        command.Add(file);
        command.Add(samples);
        command.SetAction(result => Run(result.InvocationConfiguration.Output, result.InvocationConfiguration.Error,
            result.GetValue(file)!, result.GetValue(samples)!));
        return command;
    }

    /// <summary>Runs <c>prototypes</c>; returns the exit code.</summary>
    public static int Run(TextWriter output, TextWriter error, string file, string samples)
    {
        PrototypeSet existing = PrototypeSetFile(file);
        using (IExplainableModel features = DefaultModel.LoadFeatures())
        {
            PrototypeSet rebuilt =
                existing.Rebuild(features, DefaultModel.Preprocessing, samples, new LineProgress(error));
            rebuilt.Save(file);
        }
        output.WriteLine($"wrote {existing.Labels.Count} prototypes to {file}");
        return ExitCodes.Success;
    }

    private static PrototypeSet PrototypeSetFile(string file)
    {
        if (!File.Exists(file)) throw new UnreadableInputException($"prototype file '{file}' not found (run from the " +
            "repository root, or pass --file)");
        return System.Text.Json.JsonSerializer.Deserialize<PrototypeSet>(File.ReadAllText(file))
            ?? throw new UnreadableInputException($"prototype file '{file}' is empty");
    }
}
