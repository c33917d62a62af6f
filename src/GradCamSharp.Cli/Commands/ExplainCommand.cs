using System.CommandLine;
using System.Text.Json;
using GradCamSharp.Imaging;
using GradCamSharp.Methods;
using GradCamSharp.Models;
using GradCamSharp.Pipeline;
using GradCamSharp.Catalog;

namespace GradCamSharp.Cli.Commands;

/// <summary><c>gradcam explain</c>: maps, overlays, panels and a manifest for photos.</summary>
internal static class ExplainCommand
{
    /// <summary>The parsed arguments of <c>explain</c>.</summary>
    /// <param name="Model">The model specification (see <see cref="ModelCatalog.Load"/>).</param>
    /// <param name="ModelOptions">Labels, preprocessing, architecture and concepts.</param>
    /// <param name="Job">The photos, the output folder and the settings.</param>
    /// <param name="Json">Also print the manifest.</param>
    /// <param name="Quiet">No progress lines.</param>
    /// <param name="Dataset">A folder or a list to stream through instead of the job's photos.</param>
    public sealed record Arguments(string Model, ModelLoadOptions ModelOptions, ExplainJob Job, bool Json, bool Quiet,
        DatasetInput? Dataset = null);

    private const string Help = """
        Explain what the model looks at in each photo: Grad-CAM heatmaps (and, on request, Guided Backprop, Guided
        Grad-CAM and counterfactual maps) written as PNG overlays, a side-by-side panel when several methods are
        asked for, and DIR/explanations.json listing every map with its class, score, peak and the 15%-of-max
        localisation box, in the photo's pixel coordinates. All methods come from one forward pass.

        A folder (searched recursively; photos told by their content) or --from-list streams instead: each photo's
        files appear whole in subfolders mirroring the input's as soon as it is done, its lines are appended to
        DIR/explanations.jsonl, a photo that fails goes to DIR/failures.jsonl (exit code 5) and the run goes on; the
        same command again resumes, and --shard splits the photos between machines (merge with 'gradcam merge').

        Examples:
          gradcam explain samples/dog.jpg
          gradcam explain samples/dog.jpg --class dog --class bicycle --method all --out out/
          gradcam explain photos/*.jpg --top 3 --colormap viridis --json
          gradcam explain imagenet/val/ --out out/ --max-failures 100       # streams, resumes
          gradcam explain --from-list val.txt --shard 2/8 --out out/shard-2  # the third of eight shares
          gradcam explain cat.png --model resnet50.pth --layer layer4 --class 281
          gradcam explain cat.png --model resnet50.pth --layer layer3 --layer layer4 --method layercam \
              --layer-fusion scaled-sum
          gradcam explain samples/dog.jpg --method scorecam --method ablationcam --batch-size 32
          gradcam explain samples/dog.jpg --class dog --save-maps   # + dog_dog_gradcam.npy
          gradcam explain samples/person.jpg --concept horse=samples/person.jpg#405,138,600,343
          gradcam explain line.png --model cls.onnx --labels labels.txt --preprocess ppocr-textline
          gradcam explain page.png --model ocr-detector --region 40,38,420,80 --method gradcam --method hirescam
          gradcam explain scan.nii.gz --model volumes-cnn --class cube --method gradcam --method layercam

        A volume (.npy [D, H, W] or [C, D, H, W], or NIfTI .nii/.nii.gz) is explained by a model with an
        [N, C, D, H, W] input at a volume map: each map is written as a volume of the input's size (.npy, or
        .nii.gz in the scan's space) and as a panel of the slices through its peak.
        """;

    internal static Command Create()
    {
        const string summary = "Explain photos: heatmaps, overlays, panels and explanations.json";
        var options = new ExplainOptions();
        Command command = CommandHelp.Create("explain", summary, Help);
        options.AddTo(command);
        command.SetAction((result, cancellationToken) => Task.FromResult(Start(result, options, cancellationToken)));
        return command;
    }

    private static int Start(ParseResult result, ExplainOptions options, CancellationToken cancellationToken)
    {
        (string spec, ModelLoadOptions modelOptions) = options.Common.Read(result);
        string[] images = result.GetValue(options.Images) ?? [];
        DatasetInput? dataset = options.Dataset.Read(result, images);
        var job = new ExplainJob
        {
            Images = dataset is null ? images : [],
            OutputDirectory = result.GetValue(options.Output)!,
            Decoding = options.Photos.Decoding(result),
            Overwrite = result.GetValue(options.Photos.Overwrite),
            Settings = options.Layers.Apply(result, new ExplanationSettings
            {
                Classes = result.GetValue(options.Classes) ?? [],
                Top = result.GetValue(options.Top),
                Methods = result.GetValue(options.Method) is { Length: > 0 } methods ? methods : [KnownMethods.GradCam],
                Colormap = result.GetValue(options.Colormap)!,
                EigenSmooth = result.GetValue(options.EigenSmooth),
                AugSmooth = result.GetValue(options.AugSmooth),
                BatchSize = result.GetValue(options.BatchSize),
                Region = result.GetValue(options.Region) is string box ? ParseRegion(box) : null,
                Mask = result.GetValue(options.Mask),
                SaveMaps = result.GetValue(options.SaveMaps),
                Tokens = TokenGrid.Parse(result.GetValue(options.TokenGrid), result.GetValue(options.SkipTokens)),
            }),
        };
        IReadOnlyList<Concept> concepts = (result.GetValue(options.Concept) ?? []).Select(Concept.Parse).ToArray();
        var arguments = new Arguments(spec, modelOptions with { Concepts = concepts }, job,
            result.GetValue(options.Json), result.GetValue(options.Quiet), dataset);
        return Run(result.InvocationConfiguration.Output, result.InvocationConfiguration.Error,
            arguments, cancellationToken);
    }

    /// <summary>Every option of <c>explain</c>.</summary>
    private sealed class ExplainOptions
    {
        public ExplainOptions()
        {
            Images.Validators.Add(result =>
            {
                // An unknown option would otherwise be taken for a file name.
                foreach (string token in result.Tokens.Select(t => t.Value)
                    .Where(v => v.StartsWith('-') && v.Length > 1))
                {
                    result.AddError($"unrecognized option '{token}'");
                }
            });
        }

        public Argument<string[]> Images { get; } = new("IMAGE")
        {
            Description = "Photos to explain (JPEG, PNG, WebP, BMP), or one folder of them; or volumes (.npy, .nii, " +
                ".nii.gz)",
            Arity = ArgumentArity.ZeroOrMore,
        };

        public CommonOptions Common { get; } = new();

        public DatasetOptions Dataset { get; } = new();

        public PhotoOptions Photos { get; } = new();

        public LayerOptions Layers { get; } = new("Target layer: a name from 'gradcam layers' (ONNX graphs also " +
            "take module paths such as layer4), or 'auto' for the last spatial feature map");

        public Option<string[]> Classes { get; } = new("--class", "-c")
        {
            Description = "A class to explain, by index or label; repeat for several (default: the top classes)",
        };

        public Option<int> Top { get; } = new("--top", "-k")
        {
            Description = "Explain the K best classes when no --class is given",
            DefaultValueFactory = _ => 1,
        };

        public Option<string[]> Method { get; } = MethodOption.Create(KnownMethods.GradCam);

        public Option<string> Colormap { get; } = new("--colormap")
        {
            Description = $"Heatmap colours: {string.Join(", ", KnownColormaps.Names)} (jet as in the paper)",
            DefaultValueFactory = _ => KnownColormaps.Default,
        };

        public Option<string> Output { get; } = new("--out", "-o")
        {
            Description = "Output folder for the PNGs and explanations.json (explanations.jsonl for a folder or list)",
            DefaultValueFactory = _ => "gradcam-out",
        };

        public Option<string[]> Concept { get; } = new("--concept")
        {
            Description = "A class of your own, given by example images: NAME=IMG[,IMG...], IMG may be " +
                "IMG#x0,y0,x1,y1; repeatable (every concept is explained unless --class picks some)",
        };

        public Option<bool> Json { get; } = new("--json")
        {
            Description = "Also print the manifest to standard output",
        };

        public Option<bool> SaveMaps { get; } = new("--save-maps")
        {
            Description = "Also write each map's values (float32, the photo's size) as NumPy .npy beside its PNG " +
                "(map_file in the manifest)",
        };

        public Option<bool> EigenSmooth { get; } = new("--eigen-smooth")
        {
            Description = "CAM methods: project the weighted feature maps on their first principal component " +
                "(less noise)",
        };

        public Option<bool> Quiet { get; } = new("--quiet", "-q")
        {
            Description = "No progress lines on standard error",
        };

        public Option<bool> AugSmooth { get; } = new("--aug-smooth")
        {
            Description = "Average the maps of the input and its mirror image, each scaled by 0.9, 1 and 1.1 " +
                "(steadier maps, 6x the time)",
        };

        public Option<string?> Region { get; } = new("--region")
        {
            Description = "x0,y0,x1,y1 in photo pixels: explain a dense output summed inside this box instead of " +
                "classes (the ocr-detector's text probability); with --class, a segmenter's class inside the box " +
                "(without --region a segmenter's class is explained over the pixels it assigns to it)",
        };

        public Option<string?> Mask { get; } = new("--mask")
        {
            Description = "A picture of the photo's size whose light pixels mark where a segmenter's --class is " +
                "explained (default: the pixels the model assigns to the class)",
        };

        public Option<string?> TokenGrid { get; } = new("--token-grid")
        {
            Description = "HxW: the grid a transformer's token layer folds into, where it cannot be inferred " +
                "(patches that are not square, more than 8 leading tokens); default: inferred from the input's size",
        };

        public Option<int?> SkipTokens { get; } = new("--skip-tokens")
        {
            Description = "With --token-grid: the leading tokens that are not patches (class, distillation, " +
                "register tokens)",
        };

        public Option<int> BatchSize { get; } = new("--batch-size")
        {
            Description = $"Perturbed inputs per forward pass for {string.Join(", ", KnownMethods.Perturbing)} " +
                "(default: 16 for 224x224, scaled by the input's size)",
        };

        public void AddTo(Command command)
        {
            command.Add(Images);
            Common.AddTo(command);
            Layers.AddTo(command);
            foreach (Option option in new Option[] { Classes, Top, Method, Colormap, EigenSmooth, AugSmooth,
                SaveMaps, BatchSize, Region, Mask, TokenGrid, SkipTokens, Output, Concept, Json, Quiet })
            {
                command.Add(option);
            }
            Photos.AddTo(command);
            Dataset.AddTo(command);
        }
    }

    /// <summary>Runs <c>explain</c>; returns the exit code. Progress goes to <paramref name="error"/>.</summary>
    /// <exception cref="UsageException">A bad option value.</exception>
    /// <exception cref="UnreadableInputException">A photo or the model cannot be read.</exception>
    /// <exception cref="OutputException">The output folder cannot be written.</exception>
    /// <exception cref="OperationCanceledException">Interrupted; nothing was written.</exception>
    public static int Run(TextWriter output, TextWriter error, Arguments arguments,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        ValidateBeforeLoading(arguments);
        IProgress<string>? progress = arguments.Quiet ? null : new LineProgress(error, "gradcam: concepts: ");
        using LoadedModel model = ModelCatalog.Load(arguments.Model, arguments.ModelOptions, progress);
        if (model.Notice is not null && !arguments.Quiet) error.WriteLine($"gradcam: note: {model.Notice}");
        ExplainJob job = arguments.ModelOptions.Concepts.Count > 0 && arguments.Job.Settings.Classes.Count == 0
            ? arguments.Job with { Settings = arguments.Job.Settings with { Classes = model.Labels! } }
            : arguments.Job;
        if (arguments.Dataset is DatasetInput dataset)
        {
            return dataset.Execute(job.OutputDirectory, job.Decoding, job.Overwrite, (photos, run, progress) =>
                new ExplainPipeline(model).Run(photos, run, job.Settings, progress, cancellationToken), error,
                arguments.Quiet);
        }
        bool volumes = job.Images.Count > 0 && job.Images.All(VolumeInput.Handles);
        IReadOnlyList<ManifestEntry> entries = volumes
            ? new VolumePipeline(model).Run(job, arguments.Quiet ? null : new LineProgress(error), cancellationToken)
            : new ExplainPipeline(model).Run(job, arguments.Quiet ? null : new LineProgress(error), cancellationToken);
        if (!arguments.Quiet)
        {
            foreach (string layer in LayerOptions.AutoChosen(job.Settings, entries.Select(e => e.Layer)))
                error.WriteLine($"gradcam: layer 'auto' is {layer}");
            error.WriteLine($"gradcam: wrote {entries.Count} map(s) and {ExplainPipeline.ManifestName} to " +
                $"{job.OutputDirectory}");
        }
        if (arguments.Json)
            output.WriteLine(JsonSerializer.Serialize(entries, CliJson.Indented));
        return ExitCodes.Success;
    }

    /// <summary>"x0,y0,x1,y1" as four integers.</summary>
    /// <param name="text">The option's value.</param>
    /// <param name="option">The option's name, for the error.</param>
    /// <exception cref="UsageException">Not four integers, or an empty box.</exception>
    public static int[] ParseRegion(string text, string option = "--region")
    {
        ArgumentNullException.ThrowIfNull(text);
        string[] parts = text.Split(',', StringSplitOptions.TrimEntries);
        int[] values = parts.Select(p => int.TryParse(p, System.Globalization.NumberStyles.Integer,
            System.Globalization.CultureInfo.InvariantCulture, out int v) ? v : int.MinValue).ToArray();
        if (values.Length != 4 || values.Any(v => v == int.MinValue || v < 0))
            throw new UsageException($"{option} must be x0,y0,x1,y1 (four non-negative integers), got '{text}'");
        if (values[2] <= values[0] || values[3] <= values[1])
            throw new UsageException($"{option} {text} is empty: x1 must exceed x0 and y1 must exceed y0");
        return values;
    }

    /// <summary>Everything that can be checked without the model, checked before it is loaded.</summary>
    private static void ValidateBeforeLoading(Arguments arguments)
    {
        ExplanationSettings settings = arguments.Job.Settings;
        if (settings.Top < 1) throw new UsageException($"--top must be at least 1, got {settings.Top}");
        _ = KnownMethods.Expand(settings.Methods);
        _ = KnownColormaps.Get(settings.Colormap);
        _ = settings.RunOptions();
        if (arguments.ModelOptions.Preprocess is string preprocess)
            _ = ModelCatalog.ResolvePreprocessing(preprocess, KnownPreprocessing.ImageNet);
        if (arguments.Dataset is not null) DatasetInput.RefuseJson(arguments.Json);
        int volumes = arguments.Job.Images.Count(VolumeInput.Handles);
        if (volumes > 0 && volumes < arguments.Job.Images.Count)
            throw new UsageException("give photos or volumes (.npy, .nii, .nii.gz), not both in one run");
        if (volumes > 0 && arguments.Dataset is not null)
            throw new UsageException("volumes are given as files; a folder or --from-list streams photos");
        foreach (string image in arguments.Job.Images.Where(i => !VolumeInput.Handles(i)))
            ImageLoader.Probe(image, arguments.Job.Decoding);
        foreach (ConceptExample example in arguments.ModelOptions.Concepts.SelectMany(c => c.Examples))
            _ = example.Region();
    }
}
