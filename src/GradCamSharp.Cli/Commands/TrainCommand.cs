using System.CommandLine;
using GradCamSharp.Pipeline;
using GradCamSharp.Scenes;
using GradCamSharp.VisionLanguage;
using GradCamSharp.VisionLanguage.SceneModels;
using GradCamSharp.VisionLanguage.VolumeModels;

namespace GradCamSharp.Cli.Commands;

/// <summary>
/// <c>gradcam train captioner|vqa|classifier|segmenter|volume</c>: trains a captioner, a VQA model, a scene
/// classifier or segmenter, or a 3-D CNN, on a seeded world.
/// </summary>
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
        var task = new Argument<string>("task")
        {
            Description = "What to train: captioner, vqa, classifier, segmenter, detector or volume",
        };
        var architecture = new Option<string>("--architecture")
        {
            Description = "The classifier's network: vit (a small vision transformer), swin (a small Swin) or cnn",
            DefaultValueFactory = _ => SceneModelRecipe.Transformer,
        };
        var scenes = new Option<int?>("--scenes")
        {
            Description = "Training scenes (default: 6000 shapes, 2000 photos; a classifier 8000, a segmenter or " +
                "detector 4000, volumes 3000)",
        };
        var epochs = new Option<int?>("--epochs")
        {
            Description = "Passes over the scenes (default: 10 shapes, 20 photos; vit 6, swin 16, cnn 20, " +
                "segmenter 8, detector 20, volume 10)",
        };
        var seed = new Option<int>("--seed")
        {
            Description = "Seeds the scenes, the weights and the batches; held-out checks use seed + 1",
            DefaultValueFactory = _ => defaults.Seed,
        };
        var output = new Option<string?>("--out", "-o")
        {
            Description = "The model file (default: WORLD-TASK.json; a classifier shapes-ARCHITECTURE.onnx, a " +
                "volume model volumes-cnn.onnx)",
        };
        const string summary = "Train a captioner, a VQA model, a scene classifier, segmenter or detector, a 3-D CNN";
        var command = CommandHelp.Create("train", summary, """
            Train a captioning model (CNN encoder, attention LSTM decoder) or a VQA model (CNN features, LSTM
            question, fusion, answer classifier) with TorchSharp on the CPU. On the shape world the CNN is first taught
            the 25 colour-and-shape pairs and then frozen while a gated head learns (the captioner takes over the
            shipped shapes-vqa model's CNN instead of teaching its own); on the photo world the encoder is the
            embedded ResNet18, frozen, and only the head learns. Prints the loss and the held-out accuracy after every
            epoch. The same arguments give the same weights: the shipped models were made this way (see the README).

            A classifier (shape world only) labels each scene with the colour-and-shape pairs present (25 classes,
            several at once): --architecture vit trains a small vision transformer (convolutional stem, 16x16
            tokens and a class token, 4 blocks), swin a small Swin transformer (the same stem, attention in shifted
            4x4 windows, two stages of channels-last blocks, a head that pools every token), cnn the shape world's
            CNN with a pooled linear head. It is written
            as an ONNX file: explain it with --model FILE --preprocess shapes and --labels naming the 25 pairs
            ("red circle", "red square", ..., one a line, colour-major as gradcam models' shapes-vit has them; the
            shipped ones are the models shapes-vit, shapes-swin and shapes-cnn); measure it with gradcam evaluate
            --task classify.
            A segmenter labels each pixel with its object's pair or the background (the shape world's CNN, a 1x1
            classifier, upsampling; shipped as shapes-segmenter; gradcam evaluate --task segment).
            A detector finds each object with its box and pair (the shape world's CNN and a single-tensor head: per
            cell an objectness, a box and the pairs' logits; shipped as shapes-detector; gradcam detect explains its
            detections, gradcam evaluate --task detect measures it). With --world photos it learns the photo world's
            composites of the sample photos' objects at 128 pixels, their labels its classes (photos-detector).
            A volume model is a 3-D CNN told which kinds of solid (sphere, cube) a 32-voxel volume of the volume world
            holds (shipped as volumes-cnn; gradcam evaluate --task volume; gradcam scenes --world volumes writes
            volumes as .npy files to explain).

            Examples:
              gradcam train vqa --world shapes
              gradcam train captioner --world photos --out my-captioner.json
              gradcam train vqa --world shapes --scenes 500 --epochs 2 --out quick.json
              gradcam train classifier --architecture vit --out shapes-vit.onnx
              gradcam train classifier --architecture swin --out shapes-swin.onnx
              gradcam train segmenter --out shapes-segmenter.onnx
              gradcam train detector --out shapes-detector.onnx
              gradcam train detector --world photos --out photos-detector.onnx
              gradcam train volume --out volumes-cnn.onnx
            """);
        command.Add(task);
        worlds.AddTo(command);
        foreach (Option option in new Option[] { architecture, scenes, epochs, seed, output }) command.Add(option);
        command.SetAction((result, cancellationToken) =>
        {
            string what = result.GetValue(task)!.ToLowerInvariant();
            if (what == Volume)
            {
                var shipped = new VolumeModelRecipe();
                var volumeRecipe = shipped with
                {
                    Volumes = result.GetValue(scenes) ?? shipped.Volumes,
                    Epochs = result.GetValue(epochs) ?? shipped.Epochs,
                    Seed = result.GetValue(seed),
                };
                return Task.FromResult(RunVolumeModel(result.InvocationConfiguration.Output,
                    result.InvocationConfiguration.Error, volumeRecipe, result.GetValue(output), cancellationToken));
            }
            if (what is Classifier or SceneModelRecipe.Segmenter or SceneModelRecipe.Detector)
            {
                string world = result.GetValue(worlds.World)!.ToLowerInvariant();
                if (world != SceneWorlds.Shapes && (world != SceneWorlds.Photos || what != SceneModelRecipe.Detector))
                    throw new UsageException($"a {what} is trained on the shapes world only (a detector on either)");
                string network = what == Classifier ? result.GetValue(architecture)!.ToLowerInvariant() : what;
                if (what == Classifier && network is SceneModelRecipe.Segmenter or SceneModelRecipe.Detector)
                {
                    throw new UsageException(
                        $"a classifier's --architecture is vit, swin or cnn (gradcam train {network})");
                }
                SceneModelRecipe shipped = SceneModelRecipe.For(network, world);
                SceneModelRecipe sceneRecipe = shipped with
                {
                    Scenes = result.GetValue(scenes) ?? shipped.Scenes,
                    Epochs = result.GetValue(epochs) ?? shipped.Epochs,
                    Seed = result.GetValue(seed),
                };
                IReadOnlyList<AnnotatedPhoto>? photos = world == SceneWorlds.Photos
                    ? PhotoAnnotations.Read(result.GetValue(worlds.Boxes)!, result.GetValue(worlds.Images)!) : null;
                return Task.FromResult(RunSceneModel(result.InvocationConfiguration.Output,
                    result.InvocationConfiguration.Error, sceneRecipe, result.GetValue(output), photos,
                    cancellationToken));
            }
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

    /// <summary>The task that trains a scene classifier.</summary>
    public const string Classifier = "classifier";

    /// <summary>The task that trains the volume world's 3-D CNN.</summary>
    public const string Volume = "volume";

    /// <summary>
    /// Runs <c>train volume</c>; returns the exit code. Ctrl-C stops it between steps, writing nothing; the file
    /// appears whole or not at all.
    /// </summary>
    public static int RunVolumeModel(TextWriter output, TextWriter error, VolumeModelRecipe recipe, string? path,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(recipe);
        recipe.Validate();
        path = OnnxPath(path ?? "volumes-cnn.onnx");
        var progress = new LineProgress(error, "train: ");
        progress.Report($"a 3-D CNN on {recipe.Volumes} volumes (seed {recipe.Seed}), {recipe.Epochs} epochs");
        (byte[] onnx, IReadOnlyList<EpochReport> epochs) =
            VolumeModelTrainer.Train(recipe, progress, cancellationToken);
        WriteWhole(path, onnx);
        output.WriteLine($"wrote {path} (final loss {epochs[^1].Loss:0.0000}, held-out sets of kinds exactly right " +
            $"{epochs[^1].HeldOut:0.000})");
        return ExitCodes.Success;
    }

    private static string OnnxPath(string path) => path.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase) ? path
        : throw new UsageException($"--out must name an .onnx file, got '{path}'");

    /// <summary>Writes the file beside itself first, so that it appears whole or not at all.</summary>
    private static void WriteWhole(string path, byte[] bytes)
    {
        try
        {
            string partial = path + ".partial";
            File.WriteAllBytes(partial, bytes);
            File.Move(partial, path, overwrite: true);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            throw new OutputException($"cannot write '{path}': {exception.Message}", exception);
        }
    }

    /// <summary>
    /// Runs <c>train classifier|segmenter</c>; returns the exit code. Ctrl-C stops it between steps, writing nothing;
    /// the file appears whole or not at all.
    /// </summary>
    /// <param name="output">Receives the result line.</param>
    /// <param name="error">Receives progress.</param>
    /// <param name="recipe">What to train.</param>
    /// <param name="path">Where to write the model (default: its name, .onnx).</param>
    /// <param name="photos">The annotated photos, for the photo world.</param>
    /// <param name="cancellationToken">Stops training between steps.</param>
    public static int RunSceneModel(TextWriter output, TextWriter error, SceneModelRecipe recipe, string? path,
        IReadOnlyList<AnnotatedPhoto>? photos = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(recipe);
        recipe.Validate();
        path = OnnxPath(path ?? recipe.ModelName + ".onnx");
        var progress = new LineProgress(error, "train: ");
        progress.Report($"{recipe.ModelName} on {recipe.Scenes} {recipe.World} scenes (seed {recipe.Seed}), " +
            $"{recipe.Epochs} epochs");
        using PhotoWorld? world = recipe.World == SceneWorlds.Photos
            ? SceneModelTrainer.PhotoWorldAt(photos ?? throw new UsageException("the photo world needs --boxes"))
            : null;
        (byte[] onnx, IReadOnlyList<EpochReport> epochs) =
            SceneModelTrainer.Train(recipe, world, progress, cancellationToken);
        WriteWhole(path, onnx);
        string measured = recipe.Architecture switch
        {
            SceneModelRecipe.Segmenter => "held-out mean IoU",
            SceneModelRecipe.Detector => "held-out mAP@0.5",
            _ => "held-out label sets exactly right",
        };
        output.WriteLine($"wrote {path} (final loss {epochs[^1].Loss:0.0000}, {measured} {epochs[^1].HeldOut:0.000})");
        return ExitCodes.Success;
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
