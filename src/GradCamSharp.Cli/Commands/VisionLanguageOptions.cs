using System.CommandLine;
using System.Text.Json;
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
        Description = "Photos or scenes (JPEG, PNG, WebP, BMP)",
        Arity = ArgumentArity.OneOrMore,
    };

    public Option<string> Model { get; } = new("--model", "-m")
    {
        Description = $"A shipped model ({string.Join(", ", VisionLanguageCatalog.Names)}) or the .json file " +
            "'gradcam train' wrote",
        DefaultValueFactory = _ => defaultModel,
    };

    public Option<string[]> Method { get; } = new("--method")
    {
        Description = $"Repeatable: {KnownMethods.Accepted}; default gradcam",
    };

    public Option<string> Layer { get; } = new("--layer", "-l")
    {
        Description = "Target layer: 'auto' for the image encoder's last layer (as the paper explains), any " +
            "encoder layer, or a head layer such as head.fuse.1 (the VQA model's question-conditioned map)",
        DefaultValueFactory = _ => ModelLayers.Auto,
    };

    public Option<string> Colormap { get; } = new("--colormap")
    {
        Description = $"Heatmap colours: {string.Join(", ", KnownColormaps.Names)}",
        DefaultValueFactory = _ => "jet",
    };

    public Option<string> Output { get; } = new("--out", "-o")
    {
        Description = "Output folder for the PNGs and explanations.json",
        DefaultValueFactory = _ => "gradcam-out",
    };

    public Option<bool> Json { get; } = new("--json") { Description = "Also print the manifest to standard output" };

    public Option<bool> Quiet { get; } = new("--quiet", "-q") { Description = "No progress lines on standard error" };

    public PhotoOptions Photos { get; } = new();

    public void AddTo(Command command)
    {
        Images.Validators.Add(result =>
        {
            foreach (string token in result.Tokens.Select(t => t.Value).Where(v => v.StartsWith('-') && v.Length > 1))
                result.AddError($"unrecognized option '{token}'");
        });
        command.Add(Images);
        foreach (Option option in new Option[] { Model, Method, Layer, Colormap, Output, Json, Quiet })
            command.Add(option);
        Photos.AddTo(command);
    }

    public VisionLanguageJob Read(ParseResult result) => new()
    {
        Images = result.GetValue(Images) ?? [],
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

    /// <summary>Reports what was written and prints the manifest if asked; returns the exit code.</summary>
    public static int Finish(TextWriter output, TextWriter error, IReadOnlyList<ManifestEntry> entries,
        VisionLanguageJob job, bool json, bool quiet)
    {
        if (!quiet)
        {
            error.WriteLine($"gradcam: wrote {entries.Count} map(s) and {ExplainPipeline.ManifestName} to " +
                $"{job.OutputDirectory}");
        }
        if (json) output.WriteLine(JsonSerializer.Serialize(entries, CliJson.Indented));
        return ExitCodes.Success;
    }

    /// <summary>Checks what needs no model, before the model is loaded.</summary>
    public static void Validate(VisionLanguageJob job)
    {
        _ = KnownMethods.Expand(job.Settings.Methods);
        _ = KnownColormaps.Get(job.Settings.Colormap);
        foreach (string image in job.Images) ImageLoader.Probe(image, job.Decoding);
    }
}
