using System.CommandLine;
using GradCamSharp.Scenes;
using GradCamSharp.VisionLanguage;
using GradCamSharp.VisionLanguage.Evaluation;
using System.Globalization;
using System.Text.Json;
using GradCamSharp.Methods;
using GradCamSharp.Models;
using GradCamSharp.Pipeline;
using GradCamSharp.Ocr;
using static System.FormattableString;
using GradCamSharp.Catalog;
using GradCamSharp.Classification;
using GradCamSharp.Evaluation;
using GradCamSharp.Onnx;
using GradCamSharp.Pipeline.Datasets;

namespace GradCamSharp.Cli.Commands;

/// <summary><c>gradcam evaluate</c>: the paper's evaluation on annotated photos.</summary>
internal static class EvaluateCommand
{
    /// <summary>The parsed arguments of <c>evaluate</c>.</summary>
    /// <param name="Model">The model specification.</param>
    /// <param name="ModelOptions">Labels, preprocessing, architecture.</param>
    /// <param name="Boxes">The boxes file.</param>
    /// <param name="Images">The folder of the photos it names.</param>
    /// <param name="Methods">Method names; "all" is the paper's four.</param>
    /// <param name="Aliases">BOX=CLASS pairs.</param>
    /// <param name="Sanity">Whether to run the randomization sanity checks.</param>
    /// <param name="Json">Print JSON instead of the table.</param>
    public sealed record Arguments(string Model, ModelLoadOptions ModelOptions, string Boxes, string Images,
        IReadOnlyList<string> Methods, IReadOnlyList<string> Aliases, bool Sanity, bool Json)
    {
        /// <summary>A file of LABEL=CLASS lines (or a JSON object) mapping annotation labels to the model's.</summary>
        public string? LabelMap { get; init; }

        /// <summary>Evaluate on this many seeded composite scenes instead of <see cref="Boxes"/>.</summary>
        public int Composites { get; init; }

        /// <summary>The composites' seed (and the bootstrap's and random weights').</summary>
        public int Seed { get; init; } = 1;

        /// <summary>Where evaluation.json and report.html go; null writes nothing.</summary>
        public string? Output { get; init; }

        /// <summary>Compute faithfulness (an occlusion map per object).</summary>
        public bool Faithfulness { get; init; } = true;

        /// <summary>Compute ROAD and ARCC (18 imputed copies and one more explanation per map).</summary>
        public bool Road { get; init; } = true;

        /// <summary>Add the RandomCAM baseline row.</summary>
        public bool Baseline { get; init; } = true;

        /// <summary>The sanity checks' steps.</summary>
        public int SanitySteps { get; init; } = new EvaluationOptions().SanitySteps;

        /// <summary>The deletion and insertion curves' steps.</summary>
        public int DeletionSteps { get; init; } = new EvaluationOptions().DeletionSteps;

        /// <summary>The share of the pictures this run evaluates (needs <see cref="Output"/>).</summary>
        public Shard Shard { get; init; } = Shard.All;

        /// <summary>
        /// Print the method x metric table in Markdown with these columns (empty: every metric measured) instead of
        /// the terminal table; null prints the terminal table.
        /// </summary>
        public IReadOnlyList<string>? Markdown { get; init; }
    }

    private const string Help = """
        Evaluate explanations as the Grad-CAM paper does, on photos with annotated boxes: the pointing game (the
        map's peak within 15 pixels of the box), weakly-supervised localisation (IoU of the 15%-of-maximum box
        with the annotation), faithfulness (rank correlation with the occlusion map), the deletion and insertion
        areas of Petsiuk et al. (the score as the most salient pixels are removed or restored first; in the
        model's score units) and the sanity check of Adebayo et al. (rank correlation with the map of the same
        model with random weights: lower is better).

        Examples:
          gradcam evaluate
          gradcam evaluate --method gradcam++ --json
          gradcam evaluate --method all --no-sanity
          gradcam evaluate --method gradcam,scorecam --markdown pointing,box_iou,road,arcc

        With --task caption or --task vqa it evaluates a captioner or VQA model instead, on held-out scenes of a
        world: VQA accuracy per question type, caption exact match and BLEU-4, and for each method and layer the
        pointing game and the mean map inside the named object's box over the mean outside (the paper's 3.27).

          gradcam evaluate --task vqa --world shapes --scenes 500 --seed 1000
          gradcam evaluate --task caption --world photos --scenes 200 --method gradcam --json
          gradcam evaluate --task caption --world shapes --scenes 500 --seed 1000 --beam 3

        With --task dense-caption it measures the paper's Figure 3b: each object's own phrase ("a red circle", in
        the photo world "a dog") is given to the captioner as its whole caption, and the phrase's maps are scored
        against that object's box (pointing, inside/outside), with how often a map for an object other than the
        leftmost peaks on the leftmost one (captions are read left to right).

          gradcam evaluate --task dense-caption --world shapes --scenes 200 --seed 1000
          gradcam evaluate --task dense-caption --world shapes --scenes 200 --seed 1000 --phrase-end

        With --task ocr it renders seeded text lines in the DejaVu fonts and measures PaddleOCR's recogniser: exact
        reads and character error rate (clean and noisy lines), and per method how often a character's map peaks
        inside that character's span (widened by a quarter of its width), with the inside/outside ratio.

          gradcam evaluate --task ocr --lines 100 --seed 7 --method gradcam --method hirescam

        With --task classify it measures a shape-world classifier (by default the shipped vision transformer,
        shapes-vit; --model shapes-swin is a Swin and shapes-cnn the CNN trained on the same task) on held-out
        scenes: the share of scenes whose label set it gets exactly right, and per method (and per layer, with
        --layer) the pointing game and inside/outside ratio of the map of each object's own colour-and-shape pair.

          gradcam evaluate --task classify --scenes 500 --seed 1000 --method gradcam,layercam,attention-rollout
          gradcam evaluate --task classify --model shapes-cnn --scenes 500 --seed 1000
          gradcam evaluate --task classify --model shapes-swin --layer auto,blocks.3.norm1,blocks.3.norm2

        With --task segment it measures a shape-world segmenter (by default shapes-segmenter): pixel accuracy and
        mean IoU against the exact masks, and per method, for each class present explained over the pixels the model
        gives it, how often the map's peak lies in the class's true pixels, the share of its mass there and its
        mean there over its mean elsewhere.

          gradcam evaluate --task segment --scenes 500 --seed 1000 --method gradcam,hirescam

        With --task volume it measures a 3-D CNN of the volume world (by default volumes-cnn) on held-out volumes
        (--scenes counts them): the share whose set of kinds (sphere, cube) it gets exactly right, and per method,
        for each kind present, how often the volume map's peak voxel lies in that kind's exact voxels, the share of
        its mass there and its mean there over its mean elsewhere.

          gradcam evaluate --task volume --scenes 500 --seed 1000 --method gradcam,layercam,hirescam

        With --task detect it measures a single-tensor detector of the shape world (by default shapes-detector) or,
        with --world photos, of the photo world's composites (by default photos-detector): mean
        average precision at IoU 0.5 against the exact boxes, and per method, for each detection that finds an
        object, how often its map's peak lies in that object's box, the share of its mass there and its mean there
        over its mean elsewhere.

          gradcam evaluate --task detect --scenes 500 --seed 1000 --method gradcam,layercam,eigencam
          gradcam evaluate --task detect --world photos --scenes 500 --seed 1000 --method hirescam,layercam
        """;

    internal static Command Create()
    {
        const string summary = "The paper's evaluation on annotated photos: pointing game, box IoU, faithfulness, " +
            "sanity";
        var options = new EvaluateOptions();
        Command command = CommandHelp.Create("evaluate", summary, Help);
        options.AddTo(command);
        command.SetAction((result, cancellationToken) =>
            Task.FromResult(Dispatch(result, options, cancellationToken)));
        return command;
    }

    /// <summary>Runs the task the options name: the photos (by default), a captioner or VQA model, or OCR.</summary>
    private static int Dispatch(ParseResult result, EvaluateOptions options, CancellationToken cancellation)
    {
        TextWriter output = result.InvocationConfiguration.Output, error = result.InvocationConfiguration.Error;
        string[] methods = result.GetValue(options.Method) ?? [];
        string? task = result.GetValue(options.Task);
        if (result.GetValue(options.PhraseEnd) && !string.Equals(task, VisionLanguageEvaluator.DenseCaption,
            StringComparison.OrdinalIgnoreCase))
        {
            throw new UsageException("--phrase-end needs --task dense-caption");
        }
        IReadOnlyList<string>? markdown = options.Markdown.Read(result);
        if (task is not null && markdown is not null)
            throw new UsageException("--markdown prints the photo evaluation's method x metric table: not with --task");
        if (string.Equals(task, "ocr", StringComparison.OrdinalIgnoreCase))
        {
            var ocr = new OcrEvaluationOptions
            {
                Lines = result.GetValue(options.Lines),
                Seed = result.GetValue(options.Seed),
                Layer = result.GetValue(options.Layer)!,
                Methods = methods.Length > 0 ? methods : new OcrEvaluationOptions().Methods,
            };
            return RunOcr(output, error, ocr, result.GetValue(options.Json));
        }
        if (task?.ToLowerInvariant() is VisionLanguageEvaluator.Classify or VisionLanguageEvaluator.Segment
            or VisionLanguageEvaluator.Volume or VisionLanguageEvaluator.Detect)
        {
            string sceneTask = task.ToLowerInvariant();
            (string sceneModel, ModelLoadOptions sceneLoading) = options.Common.Read(result);
            bool photos =
                result.GetValue(options.World)!.Equals(SceneWorlds.Photos, StringComparison.OrdinalIgnoreCase);
            if (photos && sceneTask != VisionLanguageEvaluator.Detect)
                throw new UsageException($"--task {sceneTask} is measured on the shapes world only (detect on either)");
            if (sceneModel == KnownModels.Default)
            {
                sceneModel = sceneTask switch
                {
                    VisionLanguageEvaluator.Segment => KnownModels.ShapesSegmenter,
                    VisionLanguageEvaluator.Volume => KnownModels.VolumesCnn,
                    VisionLanguageEvaluator.Detect => photos ? KnownModels.PhotosDetector : KnownModels.ShapesDetector,
                    _ => KnownModels.ShapesVit,
                };
            }
            // The photo world at the detector's input size, cut from the annotated photos.
            using PhotoWorld? photoWorld = photos ? VisionLanguage.SceneModels.SceneModelTrainer.PhotoWorldAt(
                PhotoAnnotations.Read(result.GetValue(options.Boxes)!, result.GetValue(options.Images)!)) : null;
            string[] layers = result.GetValue(options.Layer)!.Split(',',
                StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            if (sceneTask != VisionLanguageEvaluator.Classify && layers is not [] and not [ModelLayers.Auto])
                throw new UsageException("--layer takes a list with --task classify only (and one layer with ocr)");
            return RunSceneModel(output, error, sceneModel, sceneLoading, sceneTask, result.GetValue(options.Scenes),
                result.GetValue(options.Seed), methods.Length > 0 ? methods : VisionLanguageEvaluator.ClassifierMethods,
                result.GetValue(options.Json), layers, photoWorld);
        }
        if (task is not null)
        {
            string world = result.GetValue(options.World)!;
            string model = result.GetValue(options.Common.Model) is { } given && given != KnownModels.Default ? given
                : VisionLanguageCatalog.NameFor(world, ModelTask(TextTask(task)));
            return RunTextTask(output, error, new TextTaskArguments(model, TextTask(task), world,
                result.GetValue(options.Scenes), result.GetValue(options.Seed),
                methods.Length > 0 ? methods : VisionLanguageEvaluator.DefaultMethods, result.GetValue(options.Boxes)!,
                result.GetValue(options.Images)!, result.GetValue(options.Json), result.GetValue(options.Beam),
                result.GetValue(options.PhraseEnd)));
        }
        (string spec, ModelLoadOptions loading) = options.Common.Read(result);
        return Run(output, error, new Arguments(spec, loading, result.GetValue(options.Boxes)!,
            result.GetValue(options.Images)!, methods.Length > 0 ? methods : [KnownMethods.GradCam],
            result.GetValue(options.Alias) ?? [], !result.GetValue(options.NoSanity), result.GetValue(options.Json))
        {
            LabelMap = result.GetValue(options.LabelMap),
            Composites = result.GetValue(options.Composites),
            Seed = result.GetValue(options.Seed),
            Output = result.GetValue(options.Output),
            Faithfulness = !result.GetValue(options.NoFaithfulness),
            Road = !result.GetValue(options.NoRoad),
            Baseline = !result.GetValue(options.NoBaseline),
            SanitySteps = result.GetValue(options.SanitySteps),
            DeletionSteps = result.GetValue(options.DeletionSteps),
            Shard = options.Shards.Read(result),
            Markdown = markdown,
        }, cancellation);
    }

    /// <summary>Every option of <c>evaluate</c>; the photos', the text tasks' and OCR's.</summary>
    private sealed class EvaluateOptions
    {
        public CommonOptions Common { get; } = new();

        public Option<string> Boxes { get; } = new("--boxes")
        {
            Description = "Annotated boxes: {\"photo.jpg\": {\"label\": [x0, y0, x1, y1]}}",
            DefaultValueFactory = _ => "samples/boxes.json",
        };

        public Option<string> Images { get; } = new("--images")
        {
            Description = "The folder of the photos named in --boxes",
            DefaultValueFactory = _ => "samples",
        };

        public Option<string[]> Method { get; } =
            MethodOption.Create($"{KnownMethods.GradCam} (all evaluated in one pass)");

        public Option<string?> LabelMap { get; } = new("--label-map")
        {
            Description = "A file of LABEL=CLASS lines (or a JSON object): annotation labels to the model's classes",
        };

        public Option<int> Composites { get; } = new("--composites")
        {
            Description = "Evaluate on N seeded composite scenes (two or three objects cut from the annotated " +
                "photos, exact boxes) instead of the photos",
        };

        public Option<string?> Output { get; } = new("--out", "-o")
        {
            Description = "Write DIR/evaluation.json and DIR/report.html (a self-contained page with plots), and " +
                "each picture's results to DIR/records.jsonl as they come: the same command resumes, --shard splits " +
                "the pictures, 'gradcam merge' joins the shards",
        };

        public ShardOptions Shards { get; } = new("the pictures (with --out)");

        public Option<bool> NoFaithfulness { get; } = new("--no-faithfulness")
        {
            Description = "Skip faithfulness (it needs an occlusion map per object: the costliest measure)",
        };

        public Option<bool> NoRoad { get; } = new("--no-road")
        {
            Description = "Skip ROAD and ARCC (18 imputed copies and one more explanation per map: about 1.5 s each)",
        };

        public Option<bool> NoBaseline { get; } = new("--no-baseline")
        {
            Description = $"Leave out the {EvaluationRunner.BaselineMethod} row, the chance level every table shows",
        };

        public Option<int> Beam { get; } = new("--beam")
        {
            Description = "With --task caption: the beam width of the model's captions (1: greedy decoding)",
            DefaultValueFactory = _ => 1,
        };

        public Option<bool> PhraseEnd { get; } = new("--phrase-end")
        {
            Description = "With --task dense-caption: explain each phrase as a whole caption, the log-probability " +
                "of its end included, instead of its words alone",
        };

        public Option<int> DeletionSteps { get; } = new("--deletion-steps")
        {
            Description = "The steps of the deletion and insertion curves (a forward pass each, per method and object)",
            DefaultValueFactory = _ => new EvaluationOptions().DeletionSteps,
        };

        public Option<int> SanitySteps { get; } = new("--sanity-steps")
        {
            Description = "Randomise the weights from the top in this many steps (cascading) and each band alone " +
                "(independent)", DefaultValueFactory = _ => new EvaluationOptions().SanitySteps,
        };

        public Option<string[]> Alias { get; } = new("--alias")
        {
            Description = "BOX=CLASS: the class name of a box label (e.g. eagle=bird)",
        };

        public Option<bool> NoSanity { get; } = new("--no-sanity")
        {
            Description = "Skip the parameter-randomization sanity check",
        };

        public Option<bool> Json { get; } = new("--json") { Description = "Print the results as JSON" };

        public MarkdownTableOption Markdown { get; } = new();

        public Option<string?> Task { get; } = new("--task")
        {
            Description =
                "Evaluate a captioner or VQA model on held-out scenes instead (caption, vqa, dense-caption), or " +
                "PaddleOCR's recogniser on rendered text lines (ocr)",
        };

        public Option<string> World { get; } = new("--world")
        {
            Description = "With --task: the world of the scenes (shapes or photos)",
            DefaultValueFactory = _ => "shapes",
        };

        public Option<int> Scenes { get; } = new("--scenes")
        {
            Description = "With --task: how many held-out scenes",
            DefaultValueFactory = _ => 500,
        };

        public Option<int> Seed { get; } = new("--seed")
        {
            Description =
                "The seed of the held-out scenes (--task; never a training seed: those are refused), of the " +
                "composites, the random weights and the bootstrap",
            DefaultValueFactory = _ => 1000,
        };

        public Option<int> Lines { get; } = new("--lines")
        {
            Description = "With --task ocr: how many rendered lines",
            DefaultValueFactory = _ => new OcrEvaluationOptions().Lines,
        };

        public Option<string> Layer { get; } = new("--layer", "-l")
        {
            Description = "With --task ocr: the recogniser's target layer; with --task classify: the layers to " +
                "measure each method at, comma-separated (names, module paths or auto)",
            DefaultValueFactory = _ => ModelLayers.Auto,
        };

        public void AddTo(Command command)
        {
            Common.AddTo(command);
            foreach (Option option in new Option[] { Boxes, Images, Method, Alias, NoSanity, Json, Markdown.Option,
                Task, World, Scenes, Seed, Lines, Layer, LabelMap, Composites, Output, NoFaithfulness, NoRoad,
                NoBaseline, SanitySteps, DeletionSteps, Beam, PhraseEnd })
            {
                command.Add(option);
            }
            Shards.AddTo(command);
        }
    }

    /// <summary>The arguments of <c>evaluate --task</c>.</summary>
    /// <param name="Model">A shipped captioner or VQA model, or a model file.</param>
    /// <param name="Task">"captioner" or "vqa".</param>
    /// <param name="World">The world of the held-out scenes.</param>
    /// <param name="Scenes">How many scenes.</param>
    /// <param name="Seed">Their seed.</param>
    /// <param name="Methods">The methods scored.</param>
    /// <param name="Boxes">The photo world's annotated photos.</param>
    /// <param name="Images">Their folder.</param>
    /// <param name="Json">Print JSON instead of the table.</param>
    /// <param name="BeamWidth">How a captioner decodes its captions (1: greedily).</param>
    /// <param name="PhraseEnd">With dense captioning: explain each phrase with the end's log-probability.</param>
    public sealed record TextTaskArguments(string Model, string Task, string World, int Scenes, int Seed,
        IReadOnlyList<string> Methods, string Boxes, string Images, bool Json, int BeamWidth = 1,
        bool PhraseEnd = false);

    private static string TextTask(string name) => name.ToLowerInvariant() switch
    {
        "caption" or VisionLanguageTasks.Captioner => VisionLanguageTasks.Captioner,
        VisionLanguageTasks.Vqa => VisionLanguageTasks.Vqa,
        VisionLanguageEvaluator.DenseCaption => VisionLanguageEvaluator.DenseCaption,
        _ => throw new UsageException(
            $"unknown --task '{name}'; known: caption, vqa, dense-caption, ocr, classify, segment, detect, volume"),
    };

    /// <summary>The kind of model a text task evaluates: dense captioning explains a captioner.</summary>
    private static string ModelTask(string task) =>
        task == VisionLanguageEvaluator.DenseCaption ? VisionLanguageTasks.Captioner : task;

    /// <summary>Runs <c>evaluate --task ocr</c>; returns the exit code.</summary>
    public static int RunOcr(TextWriter output, TextWriter error, OcrEvaluationOptions options, bool json)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Lines < 1) throw new UsageException($"--lines must be at least 1, got {options.Lines}");
        _ = KnownMethods.Expand(options.Methods);
        using TextRecognizer recognizer = TextRecognizer.Load();
        OcrEvaluationReport report = OcrEvaluation.Run(recognizer, options, new LineProgress(error));
        if (json)
        {
            output.WriteLine(JsonSerializer.Serialize(report, CliJson.Indented));
            return ExitCodes.Success;
        }
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{report.Lines} rendered lines (seed " +
            $"{options.Seed}): exact {report.ExactClean}/{report.CleanLines} clean, {report.ExactNoisy}/" +
            $"{report.NoisyLines} noisy; character error rate {report.CerClean:P2} clean, {report.CerNoisy:P2} noisy"));
        output.WriteLine($"{"method",-22} {"pointing",9} {"chars",6} {"mass in",8} {"in/out",8}  layer");
        foreach (OcrMethodResult method in report.Methods)
        {
            string ratio = method.InsideOutside > 999 ? ">999"
                : method.InsideOutside.ToString("0.00", CultureInfo.InvariantCulture);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{method.Method,-22} " +
                $"{method.Pointing,9:P1} {method.Characters,6} {method.MassInside,8:P1} {ratio,8}  {method.Layer}"));
        }
        return ExitCodes.Success;
    }

    /// <summary>Runs <c>evaluate --task</c>; returns the exit code.</summary>
    public static int RunTextTask(TextWriter output, TextWriter error, TextTaskArguments arguments)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        _ = KnownMethods.Expand(arguments.Methods);
        using VisionLanguageModel model = arguments.Task == VisionLanguageTasks.Vqa
            ? VisionLanguageCatalog.LoadVqa(arguments.Model) : VisionLanguageCatalog.LoadCaptioner(arguments.Model);
        using ISceneWorld world = SceneWorlds.Create(arguments.World, arguments.Boxes, arguments.Images);
        var progress = new LineProgress(error, "evaluate: ");
        VisionLanguageReport report = arguments.Task == VisionLanguageEvaluator.DenseCaption
            ? VisionLanguageEvaluator.EvaluateDenseCaptions((Captioner)model, world, arguments.Scenes, arguments.Seed,
                arguments.Methods, progress, arguments.PhraseEnd)
            : VisionLanguageEvaluator.Evaluate(model, world, arguments.Scenes, arguments.Seed, arguments.Methods,
                progress, beamWidth: arguments.BeamWidth);
        return Print(output, report, arguments.Json);
    }

    /// <summary>
    /// Runs <c>evaluate --task classify|segment|volume</c> on a shape-world classifier or segmenter, or a volume
    /// model; returns the exit code.
    /// </summary>
    public static int RunSceneModel(TextWriter output, TextWriter error, string spec, ModelLoadOptions loading,
        string task, int scenes, int seed, IReadOnlyList<string> methods, bool json,
        IReadOnlyList<string>? layers = null, ISceneWorld? world = null)
    {
        ArgumentNullException.ThrowIfNull(loading);
        _ = KnownMethods.Expand(methods);
        using LoadedModel model = ModelCatalog.Load(spec, loading);
        var progress = new LineProgress(error, "evaluate: ");
        VisionLanguageReport report = task switch
        {
            VisionLanguageEvaluator.Segment => VisionLanguageEvaluator.EvaluateSegmenter(model, scenes, seed, methods,
                progress),
            VisionLanguageEvaluator.Volume => VisionLanguageEvaluator.EvaluateVolumes(model, scenes, seed, methods,
                progress),
            VisionLanguageEvaluator.Detect => VisionLanguageEvaluator.EvaluateDetector(model, scenes, seed, methods,
                world: world, progress: progress),
            _ => VisionLanguageEvaluator.EvaluateClassifier(model, scenes, seed, methods, layers, progress),
        };
        return Print(output, report, json);
    }

    /// <summary>Prints a report of held-out scenes as a table, or as JSON.</summary>
    private static int Print(TextWriter output, VisionLanguageReport report, bool json)
    {
        if (json)
        {
            output.WriteLine(JsonSerializer.Serialize(report, CliJson.Indented));
            return ExitCodes.Success;
        }
        string drawn = report.Task == VisionLanguageEvaluator.Volume ? "volumes" : $"{report.World} scenes";
        output.WriteLine($"{report.Model} on {report.Scenes} held-out {drawn} (seed {report.Seed})");
        foreach ((string type, Tally tally) in report.Accuracy)
            output.WriteLine(Invariant($"  accuracy {type,-9} {tally.Rate:0.000} ({tally.Right}/{tally.Total})"));
        if (report.OverallAccuracy is double overall && report.Accuracy.Count > 1)
            output.WriteLine(Invariant($"  accuracy overall   {overall:0.000}"));
        if (report.MeanIoU is double meanIoU) output.WriteLine(Invariant($"  mean IoU           {meanIoU:0.000}"));
        if (report.MeanAveragePrecision is double precision)
            output.WriteLine(Invariant($"  mAP@0.5            {precision:0.000}"));
        if (report.ExactMatch is double exact)
        {
            string decoding = report.BeamWidth > 1 ? $"beam {report.BeamWidth}" : "greedy";
            output.WriteLine(Invariant($"  caption exact match {exact:0.000}, BLEU-4 {report.Bleu4:0.000}") +
                $" ({decoding})");
        }
        string what = report.Task switch
        {
            VisionLanguageTasks.Vqa => "answers about one object",
            VisionLanguageEvaluator.Classify => "each object's own colour-and-shape pair",
            VisionLanguageEvaluator.Segment => "each class present, over the pixels the model gives it, in its mask",
            VisionLanguageEvaluator.Volume => "each kind of solid present, in its exact voxels",
            VisionLanguageEvaluator.Detect => "each detection that finds an object, in that object's box",
            VisionLanguageEvaluator.DenseCaption => report.PhraseEnd == true
                ? "each object's own phrase as the whole caption, its end included"
                : "each object's own phrase, its words read as the caption's start",
            _ => "words naming an object",
        };
        output.WriteLine($"  localisation of {what} (chance pointing " +
            Invariant($"{report.ChancePointing:0.000}):"));
        output.WriteLine($"  {"method",-20} {"layer",-18} {"maps",6} {"pointing",9} {"in/out",7}");
        foreach (LocalisationScore score in report.Localisation)
        {
            string line = Invariant($"  {score.Method,-20} {score.Layer,-18} {score.Targets,6} ") +
                Invariant($"{score.Pointing,9:0.000} {score.Ratio,7:0.00}");
            if (score.MassInside is double mass) line += Invariant($"  mass inside {mass:0.000}");
            if (score.PeakOnOtherObject is double other)
                line += Invariant($"  peak on another object {other:0.00} ({score.AmongOthers})");
            if (score.PeakOnLeftmost is double leftmost)
                line += Invariant($", on the leftmost instead {leftmost:0.00} ({score.NotLeftmost})");
            if (score.PointingByKind.Count > 1)
            {
                line += "  pointing by kind: " + string.Join(", ", score.PointingByKind.Select(k =>
                    Invariant($"{k.Key} {k.Value.Rate:0.00} ({k.Value.Total})")));
            }
            output.WriteLine(line);
        }
        if (report.Skipped > 0) output.WriteLine($"  skipped {report.Skipped} texts with words the model lacks");
        return ExitCodes.Success;
    }

    /// <summary>Runs <c>evaluate</c>; returns the exit code.</summary>
    public static int Run(TextWriter output, TextWriter error, Arguments arguments,
        CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        IReadOnlyList<MethodDescriptor> methods = KnownMethods.Expand(arguments.Methods);
        if (arguments.Composites < 0)
            throw new UsageException($"--composites must be 0 or more, got {arguments.Composites}");
        if (arguments.DeletionSteps < 2)
            throw new UsageException($"--deletion-steps must be at least 2, got {arguments.DeletionSteps}");
        if (arguments.SanitySteps < 0) throw new UsageException($"--sanity-steps must be 0 or more, got " +
            $"{arguments.SanitySteps}");
        if (arguments.Shard.Count > 1 && arguments.Output is null)
            throw new UsageException("--shard needs --out: each shard writes its records into its own folder");
        var aliases = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (arguments.LabelMap is string mapFile)
        {
            foreach ((string label, string name) in GroundTruth.ReadLabelMap(mapFile)) aliases[label] = name;
        }
        foreach (string pair in arguments.Aliases)
        {
            string[] parts = pair.Split('=', 2);
            if (parts.Length != 2) throw new UsageException($"bad --alias '{pair}': expected BOX=CLASS");
            aliases[parts[0]] = parts[1];
        }
        IReadOnlyList<AnnotatedPhoto> photos = GroundTruth.Read(arguments.Boxes, arguments.Images);
        using PhotoWorld? world = arguments.Composites > 0
            ? new PhotoWorld(photos, new PhotoWorldOptions { MinObjects = 2, MaxObjects = 3 }) : null;
        IReadOnlyList<EvaluationCase> cases = world is null ? photos.SelectMany(EvaluationRunner.Cases).ToList()
            : EvaluationRunner.Composites(world, arguments.Composites, arguments.Seed);
        string source = world is null ? $"{arguments.Boxes} ({photos.Count} pictures)"
            : $"{arguments.Composites} composite scenes (seed {arguments.Seed}) of {arguments.Boxes}";
        var options = new EvaluationOptions
        {
            Methods = methods.Select(m => m.Name).ToArray(), Faithfulness = arguments.Faithfulness,
            SanitySteps = arguments.Sanity ? arguments.SanitySteps : 0, Seed = arguments.Seed, Aliases = aliases,
            DeletionSteps = arguments.DeletionSteps, Road = arguments.Road, Baseline = arguments.Baseline,
        };
        using LoadedModel loaded = ModelCatalog.Load(arguments.Model, arguments.ModelOptions);
        (_, IReadOnlyDictionary<string, int> unmatched) = EvaluationRunner.Match(loaded, cases, aliases);
        if (unmatched.Count > 0)
        {
            error.WriteLine("evaluate: labels the model lacks (not evaluated; map them with --label-map or --alias): " +
                string.Join(", ", unmatched.Select(u => $"{u.Key} ({u.Value})")));
        }
        if (cases.Count == 0 || unmatched.Values.Sum() == cases.Count)
            throw new UsageException("no annotated label matches a class of the model (use --label-map or --alias)");
        LoadedModel Randomized(WeightBand band) => ModelCatalog.Load(arguments.Model, arguments.ModelOptions with
        {
            RandomWeightsSeed = arguments.Seed, RandomizedBand = band,
        });
        var progress = new LineProgress(error, "evaluate: ");
        EvaluationSummary summary;
        if (arguments.Output is string folder)
        {
            try
            {
                summary = Stream(folder, loaded, cases, source, unmatched, options, Randomized, arguments, error,
                    progress, cancellation);
            }
            catch (OperationCanceledException)
            {
                error.WriteLine($"gradcam: interrupted; the pictures done are kept in {folder}/" +
                    $"{EvaluationRecords.FileName}, and the same command resumes");
                return ExitCodes.Cancelled;
            }
            error.WriteLine($"evaluate: wrote {Path.Combine(folder, EvaluationRecords.SummaryName)} and " +
                $"{Path.Combine(folder, EvaluationRecords.ReportName)}");
        }
        else
        {
            IReadOnlyList<EvaluationResult> results = EvaluationRunner.Run(loaded, cases, options, Randomized,
                progress, cancellation: cancellation);
            summary = EvaluationSummary.Of(loaded.Name, source, results, unmatched, options);
        }
        if (arguments.Json)
        {
            output.WriteLine(JsonSerializer.Serialize(summary, CliJson.Indented));
            return ExitCodes.Success;
        }
        if (arguments.Markdown is { } columns)
        {
            MarkdownTableOption.Write(output, summary, columns);
            return ExitCodes.Success;
        }
        WriteTable(output, summary);
        if (summary.FailureModes is FailureModes modes)
        {
            output.WriteLine($"failure modes: the object's class is the top-1 for {modes.Top1} of {modes.Objects} " +
                $"objects; of the others, {modes.WrongToOtherObject} in pictures where the top-1 is another " +
                $"annotated object, {modes.WrongToAbsentClass} where it is a class not there (pointing_wrong: does " +
                "the true class's map still find them)");
        }
        foreach (MethodSummary method in summary.Methods.Where(m => m.Randomization.Count > 0))
        {
            output.WriteLine($"{method.Method}: Spearman (SSIM) with the trained map, " +
                string.Join("; ", method.Randomization.Select(r => Invariant(
                    $"{r.Kind} {r.FromTop:0.##}-{r.ToTop:0.##} {r.Spearman.Mean:0.00} ({r.Ssim.Mean:0.00})"))));
        }
        return ExitCodes.Success;
    }

    /// <summary>
    /// Evaluates the pictures of this run's shard that <paramref name="folder"/>'s records do not hold yet, each
    /// picture's results appended as it is done, then summarises every record of the folder.
    /// </summary>
    private static EvaluationSummary Stream(string folder, LoadedModel loaded, IReadOnlyList<EvaluationCase> cases,
        string source, IReadOnlyDictionary<string, int> unmatched, EvaluationOptions options,
        Func<WeightBand, LoadedModel> randomized, Arguments arguments, TextWriter error, IProgress<string> progress,
        CancellationToken cancellation)
    {
        using FileStream folderLock = StagedOutput.CreateLocked(folder);
        string settings = DatasetRun.HashOf(JsonSerializer.Serialize(new
        {
            task = "evaluate", model = loaded.Name, source, unmatched, options,
        }));
        var done = EvaluationRecords.Read(folder, settings).Select(r => r.Image).ToHashSet(StringComparer.Ordinal);
        var keys = cases.DistinctBy(c => c.Image).ToDictionary(c => c.Image,
            c => EvaluationRecords.KeyOf(c, arguments.Images), StringComparer.Ordinal);
        if (done.Count > 0) error.WriteLine($"evaluate: {done.Count} picture(s) already done in {folder}, skipped");
        try
        {
            using (JsonLines records = JsonLines.Open(Path.Combine(folder, EvaluationRecords.FileName)))
            {
                EvaluationRunner.Run(loaded, cases, options, randomized, progress,
                    include: image => arguments.Shard.Contains(keys[image]) && !done.Contains(keys[image]),
                    evaluated: picture => records.Append([picture with
                    {
                        Image = keys[picture.Image], Settings = settings,
                    }]), cancellation: cancellation);
            }
            return EvaluationRecords.Summarise(EvaluationRecords.Read(folder, settings), folder, loaded.Name, source,
                unmatched, options);
        }
        catch (Exception exception) when (exception is IOException and not (OutputException
            or UnreadableInputException) or UnauthorizedAccessException)
        {
            throw new OutputException($"cannot write to output folder '{folder}': {exception.Message}", exception);
        }
    }

    /// <summary>
    /// The method x metric table, transposed to fit a terminal: a row per metric, a column per method.
    /// </summary>
    private static void WriteTable(TextWriter output, EvaluationSummary summary)
    {
        output.WriteLine($"{summary.Model} on {summary.Source}: {summary.Cases} objects; " +
            "mean [95% bootstrap interval]");
        const int width = 22;
        output.WriteLine($"{"metric",-24}" + string.Concat(summary.Methods.Select(m => m.Method.PadLeft(width))));
        foreach ((string metric, _, bool higherIsBetter) in KnownMetrics.Registered)
        {
            if (!summary.Methods.Any(m => m.Metrics.ContainsKey(metric))) continue;
            string cells = string.Concat(summary.Methods.Select(m => (m.Metrics.TryGetValue(metric, out var value)
                ? Invariant($"{value.Mean:0.000} [{value.Low:0.00},{value.High:0.00}]") : "").PadLeft(width)));
            output.WriteLine($"{metric + (higherIsBetter ? " +" : " -"),-24}{cells}");
        }
    }
}
