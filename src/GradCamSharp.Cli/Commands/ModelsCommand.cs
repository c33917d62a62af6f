using System.CommandLine;
using GradCamSharp.Catalog;

namespace GradCamSharp.Cli.Commands;

/// <summary><c>gradcam models</c>: every model <c>--model</c> knows by name, from the model registry.</summary>
internal static class ModelsCommand
{
    internal static Command Create() =>
        CommandHelp.Listing("models", "List the models --model knows by name", """
            List every model --model takes by name, with what it is. --model also takes an .onnx file (with --labels
            and --preprocess) or a .pth checkpoint of a TorchVision architecture (with --arch).

            Examples:
              gradcam models
              gradcam models --markdown   # the README's table
            """, Run, MarkdownTable);

    /// <summary>The registry as the README's model table.</summary>
    public static string MarkdownTable()
    {
        var table = new System.Text.StringBuilder();
        table.AppendLine("| `--model` | what it is |");
        table.AppendLine("|---|---|");
        foreach (ModelDescriptor model in KnownModels.Registered)
            table.AppendLine("| `" + model.Name + "` | " + model.Summary + " |");
        return table.ToString();
    }

    /// <summary>Prints the list; returns the exit code.</summary>
    public static int Run(TextWriter output)
    {
        int width = KnownModels.Names.Max(n => n.Length);
        foreach (ModelDescriptor model in KnownModels.Registered)
            output.WriteLine($"{model.Name.PadRight(width)}  {model.Summary}");
        return ExitCodes.Success;
    }
}
