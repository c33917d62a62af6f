using System.CommandLine;
using GradCamSharp.Pipeline;
using GradCamSharp.Scenes;
using GradCamSharp.VisionLanguage;

namespace GradCamSharp.Cli.Commands;

/// <summary><c>gradcam train captioner|vqa</c>: trains a captioner or a VQA model on a seeded world.</summary>
internal static class TrainCommand
{
    /// <summary>The parsed arguments of <c>train</c>.</summary>
    /// <param name="Recipe">Task, world, scenes, epochs and seed.</param>
    /// <param name="Output">The model's JSON file; the weights go beside it.</param>
    /// <param name="Boxes">The annotated photos of the photo world.</param>
    /// <param name="Images">The folder of those photos.</param>
    public sealed record Arguments(VisionLanguageRecipe Recipe, string? Output, string Boxes, string Images);

    internal static Command Create()
    {
        var defaults = new VisionLanguageRecipe();
        var worlds = new WorldOptions();
        var task = new Argument<string>("task") { Description = "What to train: captioner or vqa" };
        var scenes =
            new Option<int?>("--scenes") { Description = "Training scenes (default: 6000 shapes, 2000 photos)" };
        var epochs =
            new Option<int?>("--epochs") { Description = "Passes over the scenes (default: 10 shapes, 20 photos)" };
        var seed = new Option<int>("--seed")
        {
            Description = "Seeds the scenes, the weights and the batches; held-out checks use seed + 1",
            DefaultValueFactory = _ => defaults.Seed,
        };
        var output = new Option<string?>("--out", "-o") { Description = "The model file (default: WORLD-TASK.json)" };
        const string summary = "Train a captioner or a VQA model on seeded scenes";
        var command = CommandHelp.Create("train", summary, """
            Train a captioning model (CNN encoder, attention LSTM decoder) or a VQA model (CNN features, LSTM
            question, fusion, answer classifier) with TorchSharp on the CPU. On the shape world the CNN is first taught
            the 25 colour-and-shape pairs and then frozen while a gated head learns (the captioner takes over the
            shipped shapes-vqa model's CNN instead of teaching its own); on the photo world the encoder is the
            embedded ResNet18, frozen, and only the head learns. Prints the loss and the held-out accuracy after every
            epoch. The same arguments give the same weights: the shipped models were made this way (see the README).

            Examples:
              gradcam train vqa --world shapes
              gradcam train captioner --world photos --out my-captioner.json
              gradcam train vqa --world shapes --scenes 500 --epochs 2 --out quick.json
            """);
        command.Add(task);
        worlds.AddTo(command);
        foreach (Option option in new Option[] { scenes, epochs, seed, output }) command.Add(option);
        command.SetAction((result, cancellationToken) =>
        {
            VisionLanguageRecipe standard = VisionLanguageRecipe.For(result.GetValue(task)!,
                result.GetValue(worlds.World)!);
            var recipe = standard with
            {
                Scenes = result.GetValue(scenes) ?? standard.Scenes,
                Epochs = result.GetValue(epochs) ?? standard.Epochs,
                Seed = result.GetValue(seed),
            };
            return Task.FromResult(Run(result.InvocationConfiguration.Output, result.InvocationConfiguration.Error,
                new Arguments(recipe, result.GetValue(output), result.GetValue(worlds.Boxes)!,
                    result.GetValue(worlds.Images)!), cancellationToken));
        });
        return command;
    }

    /// <summary>Runs <c>train</c>; returns the exit code. Ctrl-C stops it between steps, writing nothing.</summary>
    public static int Run(TextWriter output, TextWriter error, Arguments arguments,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        VisionLanguageRecipe recipe = arguments.Recipe;
        recipe.Validate();
        string name = VisionLanguageCatalog.NameFor(recipe.World, recipe.Task);
        string path = arguments.Output ?? name + ".json";
        if (!path.EndsWith(".json", StringComparison.OrdinalIgnoreCase))
            throw new UsageException($"--out must name a .json file (the weights go beside it), got '{path}'");
        using ISceneWorld world = SceneWorlds.Create(recipe.World, arguments.Boxes, arguments.Images);
        var progress = new LineProgress(error, "train: ");
        progress.Report($"{recipe.Task} on {recipe.Scenes} {recipe.World} scenes (seed {recipe.Seed}), " +
            $"{recipe.Epochs} epochs");
        (VisionLanguageModel model, IReadOnlyList<EpochReport> epochs) =
            VisionLanguageTrainer.Train(recipe, world, Path.GetFileNameWithoutExtension(path), progress,
                cancellationToken);
        using (model)
        {
            try
            {
                model.Save(path, epochs);
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                throw new OutputException($"cannot write '{path}': {exception.Message}", exception);
            }
        }
        EpochReport last = epochs[^1];
        output.WriteLine($"wrote {path} and its weights (final loss {last.Loss:0.000}, held-out " +
            $"{(recipe.Task == VisionLanguageTasks.Vqa ? "answer" : "word")} accuracy {last.HeldOut:0.000})");
        return ExitCodes.Success;
    }
}
