using System.CommandLine;
using GradCamSharp.Pipeline;
using GradCamSharp.Catalog.Heads;
using GradCamSharp.Catalog;

namespace GradCamSharp.Cli.Commands;

/// <summary>
/// <c>gradcam train-head</c>: trains the default model's head from the annotated photos, reproducibly.
/// </summary>
internal static class TrainHeadCommand
{
    /// <summary>The head file in the source tree.</summary>
    public const string SourceFile = "src/GradCamSharp.Catalog/Heads/resnet18-everyday.json";

    /// <summary>The parsed arguments of <c>train-head</c>.</summary>
    /// <param name="Options">The recipe.</param>
    /// <param name="Boxes">The annotated photos.</param>
    /// <param name="Images">Their folder.</param>
    /// <param name="Output">The head file to write.</param>
    public sealed record Arguments(HeadTrainingOptions Options, string Boxes, string Images, string Output);

    internal static Command Create()
    {
        var defaults = new HeadTrainingOptions();
        var seed = new Option<int>("--seed") { Description = "The seed of every scene",
            DefaultValueFactory = _ => defaults.Seed };
        var composites = new Option<int>("--composites")
        {
            Description = "Composite scenes (objects pasted onto other photos) to learn from",
            DefaultValueFactory = _ => defaults.Composites,
        };
        var crops = new Option<int>("--crops")
        {
            Description = "Windows of the annotated photos (objects in context, parts, backgrounds, whole photos)",
            DefaultValueFactory = _ => defaults.Crops,
        };
        var steps = new Option<int>("--steps") { Description = "Optimisation steps",
            DefaultValueFactory = _ => defaults.Steps };
        var boxes = new Option<string>("--boxes")
        {
            Description = "The annotated photos",
            DefaultValueFactory = _ => "samples/boxes.json",
        };
        var images =
            new Option<string>("--images") { Description = "Their folder", DefaultValueFactory = _ => "samples" };
        var output = new Option<string>("--out", "-o") { Description = "The head file to write",
            DefaultValueFactory = _ => SourceFile };
        const string summary = "Train the default model's head on the annotated photos (reproducible from the seed)";
        var command = CommandHelp.Create("train-head", summary, """
            Train the default model's linear head (twelve everyday objects and background) over the frozen ResNet18
            features: composite scenes of the annotated photos' objects pasted onto object-free regions of other
            photos, and windows of the photos themselves, every cell of the 7x7 feature map labelled with the object
            covering it. Every tenth scene is held out and scored. The same seed and recipe give the same head; run it
            from the repository root, then rebuild to use the new head.

            Examples:
              gradcam train-head
              gradcam train-head --seed 2 --composites 960 --out my-head.json
            """);
        foreach (Option option in new Option[] { seed, composites, crops, steps, boxes, images, output })
            command.Add(option);
        command.SetAction((result, cancellationToken) =>
        {
            var options = defaults with
            {
                Seed = result.GetValue(seed),
                Composites = result.GetValue(composites),
                Crops = result.GetValue(crops),
                Steps = result.GetValue(steps),
            };
            var arguments =
                new Arguments(options, result.GetValue(boxes)!, result.GetValue(images)!, result.GetValue(output)!);
            return Task.FromResult(Run(result.InvocationConfiguration.Output, result.InvocationConfiguration.Error,
                arguments, cancellationToken));
        });
        return command;
    }

    /// <summary>Runs <c>train-head</c>; returns the exit code. Ctrl-C stops it between steps, writing nothing.
    /// </summary>
    public static int Run(TextWriter output, TextWriter error, Arguments arguments,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        arguments.Options.Validate();
        HeadFile head = DefaultModel.TrainHead(arguments.Options, arguments.Boxes, arguments.Images,
            new LineProgress(error, "train-head: "), cancellationToken);
        try
        {
            head.Save(arguments.Output);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            throw new OutputException($"cannot write '{arguments.Output}': {exception.Message}", exception);
        }
        output.WriteLine($"wrote a head of {head.Labels.Count} classes to {arguments.Output} (held-out cell accuracy " +
            $"{head.HeldOut!.CellAccuracy:0.000}, image accuracy {head.HeldOut.ImageAccuracy:0.000})");
        return ExitCodes.Success;
    }
}
