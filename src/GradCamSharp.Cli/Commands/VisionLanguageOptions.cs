using System.CommandLine;
using GradCamSharp.Imaging;
using GradCamSharp.Methods;
using GradCamSharp.Models;
using GradCamSharp.Pipeline;
using GradCamSharp.VisionLanguage;

namespace GradCamSharp.Cli.Commands;

/// <summary>The options <c>caption</c> and <c>vqa</c> share: images, model, methods, layer, colours, output.</summary>
internal sealed class VisionLanguageOptions(string defaultModel)
{
    public Argument<string[]> Images { get; } = new("IMAGE")
    {
        Description = "Photos or scenes (JPEG, PNG, WebP, BMP), or one folder of them",
        Arity = ArgumentArity.ZeroOrMore,
    };

    public DatasetOptions Dataset { get; } = new();

    public Option<string> Model { get; } = new("--model", "-m")
    {
        Description = $"A shipped model ({string.Join(", ", VisionLanguageCatalog.Names)}) or the .json file " +
            "'gradcam train' wrote",
        DefaultValueFactory = _ => defaultModel,
    };

    public Option<string[]> Method { get; } = MethodOption.Create(KnownMethods.GradCam);

    public Option<string> Layer { get; } = new("--layer", "-l")
    {
        Description = "Target layer: 'auto' for the image encoder's last layer (as the paper explains), any " +
            "encoder layer, or a head layer such as head.gated (shapes-vqa) or head.fuse.1 (photos-vqa): the " +
                "question-conditioned map",
        DefaultValueFactory = _ => ModelLayers.Auto,
    };

    public Option<string> Colormap => Outputs.Colormap;

    public Option<string> Output => Outputs.Output;

    public Option<bool> Json => Outputs.Json;

    public Option<bool> Quiet => Outputs.Quiet;

    public OutputOptions Outputs { get; } = new();

    public PhotoOptions Photos { get; } = new();

    public void AddTo(Command command)
    {
        Images.Validators.Add(result =>
        {
            foreach (string token in result.Tokens.Select(t => t.Value).Where(v => v.StartsWith('-') && v.Length > 1))
                result.AddError($"unrecognized option '{token}'");
        });
        command.Add(Images);
        foreach (Option option in new Option[] { Model, Method, Layer }) command.Add(option);
        Outputs.AddTo(command);
        Photos.AddTo(command);
        Dataset.AddTo(command);
    }

    /// <summary>The folder or list the command line names, or null for photos given one by one.</summary>
    public DatasetInput? ReadDataset(ParseResult result) => Dataset.Read(result, result.GetValue(Images) ?? []);

    public VisionLanguageJob Read(ParseResult result) => new()
    {
        Images = ReadDataset(result) is null ? result.GetValue(Images) ?? [] : [],
        OutputDirectory = result.GetValue(Output)!,
        Decoding = Photos.Decoding(result),
        Overwrite = result.GetValue(Photos.Overwrite),
        Settings = new ExplanationSettings
        {
            Methods = result.GetValue(Method) is { Length: > 0 } methods ? methods : [KnownMethods.GradCam],
            Layer = result.GetValue(Layer)!,
            Colormap = result.GetValue(Colormap)!,
        },
    };

    /// <summary>
    /// Runs <paramref name="task"/> on the job's photos (published all or nothing) or on the dataset (streamed and
    /// resumable); returns the exit code.
    /// </summary>
    public static int Run(TextWriter output, TextWriter error, PhotoTask task, VisionLanguageJob job,
        DatasetInput? dataset, bool json, bool quiet, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(task);
        ArgumentNullException.ThrowIfNull(job);
        if (dataset is not null)
        {
            return dataset.Execute(job.OutputDirectory, job.Decoding, job.Overwrite, (photos, run, progress) =>
                run.Run(photos, task, progress, cancellationToken), error, quiet);
        }
        var batch = new PhotoBatch(job.Images, job.OutputDirectory, job.Decoding, job.Overwrite);
        IReadOnlyList<ManifestEntry> entries = batch.Run(task.ExplainOne, quiet ? null : new LineProgress(error),
            cancellationToken: cancellationToken);
        return Finish(output, error, entries, job, json, quiet);
    }

    /// <summary>Reports what was written and prints the manifest if asked; returns the exit code.</summary>
    public static int Finish(TextWriter output, TextWriter error, IReadOnlyList<ManifestEntry> entries,
        VisionLanguageJob job, bool json, bool quiet)
    {
        ArgumentNullException.ThrowIfNull(job);
        return OutputOptions.Finish(output, error, entries, job.OutputDirectory, json, quiet);
    }

    /// <summary>Checks what needs no model, before the model is loaded.</summary>
    public static void Validate(VisionLanguageJob job)
    {
        _ = KnownMethods.Expand(job.Settings.Methods);
        _ = KnownColormaps.Get(job.Settings.Colormap);
        foreach (string image in job.Images) ImageLoader.Probe(image, job.Decoding);
    }
}
