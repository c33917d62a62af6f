using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Serialization;
using GradCamSharp.Catalog;
using GradCamSharp.Factorization;
using GradCamSharp.Imaging;
using GradCamSharp.Models;
using GradCamSharp.Pipeline;
using SkiaSharp;
using TorchSharp;
using static TorchSharp.torch;

namespace GradCamSharp.Cli.Commands;

/// <summary><c>gradcam concepts</c>: Deep Feature Factorization of each photo, a picture per concept and a panel.
/// </summary>
internal static class ConceptsCommand
{
    /// <summary>The most concepts a photo may be split into.</summary>
    public const int MostConcepts = 32;

    /// <summary>The parsed arguments of <c>concepts</c>.</summary>
    /// <param name="Model">The model's name or file.</param>
    /// <param name="Loading">How to load it.</param>
    /// <param name="Images">The photos.</param>
    /// <param name="Output">The output folder.</param>
    public sealed record Arguments(string Model, ModelLoadOptions Loading, IReadOnlyList<string> Images, string Output)
    {
        /// <summary>How many concepts per photo.</summary>
        public int Concepts { get; init; } = 4;

        /// <summary>The layer factorised.</summary>
        public string Layer { get; init; } = ModelLayers.Auto;

        /// <summary>How many classes label each concept.</summary>
        public int Top { get; init; } = 2;

        /// <summary>Also print the manifest.</summary>
        public bool Json { get; init; }

        /// <summary>No progress lines.</summary>
        public bool Quiet { get; init; }

        /// <summary>Write beside files gradcam did not write.</summary>
        public bool Overwrite { get; init; }

        /// <summary>How photos are decoded.</summary>
        public ImageDecodeOptions Decoding { get; init; } = new();

        /// <summary>The seed of the factorisation.</summary>
        public int Seed { get; init; }
    }

    internal static Command Create()
    {
        var images = new Argument<string[]>("IMAGE")
        {
            Description = "Photos (JPEG, PNG, WebP, BMP)",
            Arity = ArgumentArity.OneOrMore,
        };
        var concepts = new Option<int>("--k", "-k")
        {
            Description = $"How many concepts each photo is split into (1 to {MostConcepts})",
            DefaultValueFactory = _ => 4,
        };
        var layer = new Option<string>("--layer", "-l")
        {
            Description = "The layer factorised; 'auto' is the model's default (the last feature map)",
            DefaultValueFactory = _ => ModelLayers.Auto,
        };
        var top = new Option<int>("--top")
        {
            Description = "How many classes label each concept",
            DefaultValueFactory = _ => 2,
        };
        var seed = new Option<int>("--seed") { Description = "The factorisation's seed", DefaultValueFactory = _ => 0 };
        var common = new CommonOptions();
        var outputs = new OutputOptions();
        var photos = new PhotoOptions();
        var command = CommandHelp.Create("concepts", "Split each photo into the concepts the model sees", """
            Deep Feature Factorization (Collins et al., ECCV 2018): the layer's activations are factorised by
            non-negative matrix factorisation into k concepts, each a channel vector (what it is) and a map (where it
            is). Each concept is labelled with the classes the model gives it when every position of the layer holds
            the concept's vector. Writes per photo PHOTO_concepts.png (every concept in its colour where it is
            strongest), PHOTO_concept1.png... (each concept's map) and PHOTO_concepts_panel.png, and concepts.json
            (per concept: its classes and probabilities, its picture; per photo the factorisation's relative error).

            Examples:
              gradcam concepts samples/dog.jpg
              gradcam concepts samples/dog.jpg samples/giraffe.jpg --k 6 --top 3 --out concepts/
              gradcam concepts photo.jpg --model resnet50.onnx --labels imagenet.txt --layer layer3
            """);
        command.Add(images);
        foreach (Option option in new Option[] { concepts, layer, top, seed }) command.Add(option);
        common.AddTo(command);
        outputs.AddTo(command);
        photos.AddTo(command);
        command.SetAction(result =>
        {
            (string spec, ModelLoadOptions loading) = common.Read(result);
            return Run(result.InvocationConfiguration.Output, result.InvocationConfiguration.Error,
                new Arguments(spec, loading, result.GetValue(images) ?? [], result.GetValue(outputs.Output)!)
                {
                    Concepts = result.GetValue(concepts),
                    Layer = result.GetValue(layer)!,
                    Top = result.GetValue(top),
                    Seed = result.GetValue(seed),
                    Json = result.GetValue(outputs.Json),
                    Quiet = result.GetValue(outputs.Quiet),
                    Overwrite = result.GetValue(photos.Overwrite),
                    Decoding = photos.Decoding(result),
                });
        });
        return command;
    }

    /// <summary>Runs <c>concepts</c>; returns the exit code.</summary>
    public static int Run(TextWriter output, TextWriter error, Arguments arguments)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        if (arguments.Images.Count == 0) throw new UsageException("give at least one photo");
        if (arguments.Concepts is < 1 or > MostConcepts)
            throw new UsageException($"--k must be between 1 and {MostConcepts}, got {arguments.Concepts}");
        if (arguments.Top < 1) throw new UsageException($"--top must be at least 1, got {arguments.Top}");
        // What can be checked without the model is checked before it is loaded.
        if (arguments.Images.FirstOrDefault(image => !File.Exists(image)) is string missing)
            throw new UnreadableInputException($"cannot read '{missing}': no such file");
        using LoadedModel loaded = ModelCatalog.Load(arguments.Model, arguments.Loading);
        string layer = arguments.Layer == ModelLayers.Auto ? loaded.DefaultLayer ?? ModelLayers.Auto : arguments.Layer;
        string Label(int index) => loaded.Labels is { } labels && index < labels.Count ? labels[index]
            : $"class {index}";
        using StagedOutput staged = StagedOutput.Begin(arguments.Output, arguments.Overwrite);
        var entries = new List<PhotoConcepts>();
        for (int i = 0; i < arguments.Images.Count; i++)
        {
            string image = arguments.Images[i];
            using SKBitmap photo = ImageLoader.Load(image, arguments.Decoding);
            using DisposeScope scope = NewDisposeScope();
            PreparedImage prepared = ImagePreprocessor.Prepare(photo, loaded.Preprocessing);
            ConceptFactorization parts = DeepFeatureFactorization.Factorize(loaded.Model, prepared.ToTensor(),
                arguments.Concepts, layer, arguments.Top, arguments.Seed);
            string stem = Path.GetFileNameWithoutExtension(image);
            using ConceptPictures pictures = ConceptPictures.Draw(photo, prepared, parts, Label,
                Path.GetFileName(image));
            string Save(SKBitmap bitmap, string file)
            {
                File.WriteAllBytes(staged.Add(file, out string name), PngFile.Encode(bitmap));
                return name;
            }
            var concepts = parts.Concepts.Select(c => new ConceptEntry(c.Index + 1,
                Save(pictures.Concepts[c.Index], $"{stem}_concept{c.Index + 1}.png"),
                [.. c.Classes.Select(k => new ClassEntry(Label(k.ClassIndex), k.ClassIndex, k.Probability))]))
                .ToList();
            entries.Add(new PhotoConcepts(image, parts.Layer, parts.RelativeError,
                Save(pictures.Combined, $"{stem}_concepts.png"), Save(pictures.Panel, $"{stem}_concepts_panel.png"),
                concepts));
            for (int k = 0; k < concepts.Count; k++)
                output.WriteLine($"{Path.GetFileName(image)} concept {k + 1}: {pictures.Captions[k]}");
            if (!arguments.Quiet)
            {
                error.WriteLine($"[{i + 1}/{arguments.Images.Count}] {image}: {arguments.Concepts} concepts at " +
                    $"{parts.Layer}, {parts.RelativeError:P1} of the activations left out");
            }
        }
        string json = JsonSerializer.Serialize(entries, CliJson.Indented);
        File.WriteAllText(staged.Add("concepts.json"), json);
        staged.Publish();
        if (arguments.Json) output.WriteLine(json);
        if (!arguments.Quiet) error.WriteLine($"gradcam: wrote concepts.json and their pictures to {arguments.Output}");
        return ExitCodes.Success;
    }

    private sealed record ClassEntry([property: JsonPropertyName("label")] string Label,
        [property: JsonPropertyName("class_index")] int ClassIndex,
        [property: JsonPropertyName("probability")] double Probability);

    private sealed record ConceptEntry([property: JsonPropertyName("concept")] int Concept,
        [property: JsonPropertyName("file")] string File,
        [property: JsonPropertyName("classes")] IReadOnlyList<ClassEntry> Classes);

    private sealed record PhotoConcepts([property: JsonPropertyName("image")] string Image,
        [property: JsonPropertyName("layer")] string Layer,
        [property: JsonPropertyName("relative_error")] double RelativeError,
        [property: JsonPropertyName("concepts_file")] string ConceptsFile,
        [property: JsonPropertyName("panel_file")] string PanelFile,
        [property: JsonPropertyName("concepts")] IReadOnlyList<ConceptEntry> Concepts);
}
