using System.CommandLine;
using System.Text.Json;
using GradCamSharp.Methods;
using GradCamSharp.Models;
using GradCamSharp.Runtime;

namespace GradCamSharp.Cli.Commands;

/// <summary><c>gradcam explain</c>: maps, overlays, panels and a manifest for photos.</summary>
public static class ExplainCommand
{
    /// <summary>The parsed arguments of <c>explain</c>.</summary>
    public sealed record Arguments(string Model, ModelLoadOptions ModelOptions, ExplainRequest Request, bool Json, bool Quiet)
    {
        /// <summary>Concepts given as NAME=IMG[,IMG...], each image optionally IMG#x0,y0,x1,y1.</summary>
        public IReadOnlyList<string> Concepts { get; init; } = [];
    }

    internal static Command Create()
    {
        var images = new Argument<string[]>("IMAGE") { Description = "Photos to explain (JPEG, PNG, WebP, BMP)", Arity = ArgumentArity.OneOrMore };
        images.Validators.Add(result =>
        {
            // An unknown option would otherwise be taken for a file name.
            foreach (string token in result.Tokens.Select(t => t.Value).Where(v => v.StartsWith('-') && v.Length > 1))
                result.AddError($"unrecognized option '{token}'");
        });
        var common = new CommonOptions();
        var layer = new Option<string>("--layer", "-l") { Description = "Target layer name (see 'gradcam layers'), or 'auto' for the last spatial feature map", DefaultValueFactory = _ => ModelLayers.Auto };
        var classes = new Option<string[]>("--class", "-c") { Description = "A class to explain, by index or label; repeat for several (default: the top classes)", AllowMultipleArgumentsPerToken = false };
        var top = new Option<int>("--top", "-k") { Description = "Explain the K best classes when no --class is given", DefaultValueFactory = _ => 1 };
        var method = new Option<string[]>("--method") { Description = $"gradcam (default), guided-backprop, guided-gradcam, counterfactual, all (those four), or {string.Join(", ", KnownMethods.Names.Except(KnownMethods.Paper))}; repeatable" };
        var colormap = new Option<string>("--colormap") { Description = "Heatmap colours: jet (as in the paper), viridis, turbo, gray", DefaultValueFactory = _ => "jet" };
        var output = new Option<string>("--out", "-o") { Description = "Output folder for the PNGs and explanations.json", DefaultValueFactory = _ => "gradcam-out" };
        var concept = new Option<string[]>("--concept") { Description = "Score by similarity to a concept given by example images: NAME=IMG[,IMG...], IMG may be IMG#x0,y0,x1,y1; repeatable (every concept is explained unless --class picks some)" };
        var json = new Option<bool>("--json") { Description = "Also print the manifest to standard output" };
        var quiet = new Option<bool>("--quiet", "-q") { Description = "No progress lines on standard error" };

        var command = CommandHelp.Create("explain", "Explain photos: heatmaps, overlays, panels and explanations.json", """
            Explain what the model looks at in each photo: Grad-CAM heatmaps (and, on request, Guided Backprop, Guided
            Grad-CAM and counterfactual maps) written as PNG overlays, a side-by-side panel when several methods are
            asked for, and DIR/explanations.json listing every map with its class, score, peak and the 15%-of-max
            localisation box, in the photo's pixel coordinates.

            Examples:
              gradcam explain samples/dog.jpg
              gradcam explain samples/dog.jpg --class dog --class bicycle --method all --out out/
              gradcam explain photos/*.jpg --top 3 --colormap viridis --json
              gradcam explain cat.png --model resnet50.pth --layer layer4 --class 281
              gradcam explain samples/person.jpg --concept horse=samples/giraffe.jpg#245,205,425,430
              gradcam explain line.png --model cls.onnx --labels labels.txt --preprocess ppocr-textline
            """);
        command.Add(images);
        common.AddTo(command);
        foreach (Option option in new Option[] { layer, classes, top, method, colormap, output, concept, json, quiet }) command.Add(option);
        command.SetAction(result =>
        {
            (string spec, ModelLoadOptions modelOptions) = common.Read(result);
            var request = new ExplainRequest
            {
                Images = result.GetValue(images) ?? [],
                OutputDirectory = result.GetValue(output)!,
                Classes = result.GetValue(classes) ?? [],
                Top = result.GetValue(top),
                Methods = result.GetValue(method) is { Length: > 0 } methods ? methods : [KnownMethods.GradCam],
                Layer = result.GetValue(layer)!,
                Colormap = result.GetValue(colormap)!,
            };
            return Run(result.InvocationConfiguration.Output, result.InvocationConfiguration.Error,
                new Arguments(spec, modelOptions, request, result.GetValue(json), result.GetValue(quiet)) { Concepts = result.GetValue(concept) ?? [] });
        });
        return command;
    }

    /// <summary>Runs <c>explain</c>; returns the exit code. Progress and errors go to <paramref name="error"/>.</summary>
    public static int Run(TextWriter output, TextWriter error, Arguments arguments)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        try
        {
            _ = ExplainPipeline.ExpandMethods(arguments.Request.Methods);
            var concepts = arguments.Concepts.Select(ConceptExample.ParseConcept).ToList();
            foreach (ConceptExample example in concepts.SelectMany(c => c.Examples)) GradCamSharp.Imaging.ImageLoader.Probe(example.Path);
            using LoadedModel model = Concepts.Apply(ModelCatalog.Load(arguments.Model, arguments.ModelOptions), concepts);
            if (model.Notice is not null && !arguments.Quiet) error.WriteLine($"gradcam: note: {model.Notice}");
            var progress = arguments.Quiet ? null : new LineProgress(error);
            ExplainRequest request = concepts.Count > 0 && arguments.Request.Classes.Count == 0
                ? arguments.Request with { Classes = concepts.Select(c => c.Name).ToArray() }
                : arguments.Request;
            IReadOnlyList<ManifestEntry> entries = new ExplainPipeline(model).Run(request, progress);
            if (!arguments.Quiet)
            {
                foreach (var layer in entries.Select(e => e.Layer).Where(l => l != "input").Distinct())
                    if (arguments.Request.Layer == ModelLayers.Auto) error.WriteLine($"gradcam: layer 'auto' is {layer}");
                error.WriteLine($"gradcam: wrote {entries.Count} map(s) and {ExplainPipeline.ManifestName} to {arguments.Request.OutputDirectory}");
            }
            if (arguments.Json) output.WriteLine(JsonSerializer.Serialize(entries, new JsonSerializerOptions { WriteIndented = true }));
            return ExitCodes.Success;
        }
        catch (Exception exception)
        {
            return Failures.Report(exception, error);
        }
    }
}
