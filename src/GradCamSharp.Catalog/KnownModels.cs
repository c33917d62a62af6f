using GradCamSharp.Imaging;
using GradCamSharp.Models;
using GradCamSharp.Onnx;
using GradCamSharp.Scenes;
using GradCamSharp.TorchVision;

namespace GradCamSharp.Catalog;

/// <summary>
/// The model registry: every model <c>--model</c> knows by name, with its one-line summary and its loader. The
/// command line's help and its not-found error, the web service's <c>/api/model</c> and the README's model table are
/// made from this list (a test holds the README to it). Files are taken too: an <c>.onnx</c> model, a <c>.pth</c>
/// checkpoint of a TorchVision architecture.
/// </summary>
public static class KnownModels
{
    /// <summary>The embedded default model.</summary>
    public const string Default = "default";

    /// <summary>The default network under its earlier prototype head.</summary>
    public const string DefaultPrototypes = "default-prototypes";

    /// <summary>PaddleOCR's DB text detector, explained through <c>--region</c>.</summary>
    public const string OcrDetector = "ocr-detector";

    /// <summary>The small vision transformer trained here on the shape world (<c>gradcam train classifier</c>).
    /// </summary>
    public const string ShapesVit = "shapes-vit";

    /// <summary>The small Swin transformer trained here on the same task (<c>gradcam train classifier --architecture
    /// swin</c>): where a Swin is best explained.</summary>
    public const string ShapesSwin = "shapes-swin";

    /// <summary>The CNN trained here on the same task as <see cref="ShapesVit"/>, for comparison.</summary>
    public const string ShapesCnn = "shapes-cnn";

    /// <summary>The semantic segmenter trained here on the shape world (<c>gradcam train segmenter</c>).</summary>
    public const string ShapesSegmenter = "shapes-segmenter";

    /// <summary>The single-tensor object detector trained here on the shape world (<c>gradcam train detector</c>).
    /// </summary>
    public const string ShapesDetector = "shapes-detector";

    /// <summary>The same detector trained here on the photo world's composites (<c>gradcam train detector --world
    /// photos</c>): objects cut out of the annotated sample photos, pasted onto others.</summary>
    public const string PhotosDetector = "photos-detector";

    /// <summary>The 3-D CNN trained here on the volume world (<c>gradcam train volume</c>).</summary>
    public const string VolumesCnn = "volumes-cnn";

    /// <summary>Every named model, the default first.</summary>
    public static IReadOnlyList<ModelDescriptor> Registered { get; } =
    [
        new()
        {
            Name = Default,
            Summary = "the embedded ImageNet ResNet18 with a head trained here on twelve everyday objects",
            Load = (options, runtime) => DefaultModel.Load(options.LabelsPath is string labels ? Labels.Read(labels)
                : null, options.RandomWeightsSeed, options.RandomizedBand, runtime),
            Features = (options, runtime) => new LoadedModel
            {
                Name = Default,
                Model = DefaultModel.LoadFeatures(options.RandomWeightsSeed, options.RandomizedBand, runtime),
                Preprocessing = DefaultModel.Preprocessing,
            },
        },
        new()
        {
            Name = DefaultPrototypes,
            Summary = "the same network under its earlier prototype classifier, for comparison (trust studies)",
            Load = (options, runtime) =>
                DefaultModel.LoadPrototypes(options.RandomWeightsSeed, options.RandomizedBand, runtime),
        },
        new()
        {
            Name = OcrDetector,
            Summary = "PaddleOCR's PP-OCRv4 text detector (fetched by the build); explain a region with --region",
            Load = (_, _) => OcrDetectorModel(),
        },
        new()
        {
            Name = ShapesVit,
            Summary = "a small vision transformer trained here on the shape world's 25 colour-and-shape pairs",
            Load = (options, runtime) => SceneModel(ShapesVit, ShapeWorld.PairNames, options, runtime),
        },
        new()
        {
            Name = ShapesSwin,
            Summary = "a small Swin transformer (shifted windows, pooled head) trained here on the same task",
            Load = (options, runtime) => SceneModel(ShapesSwin, ShapeWorld.PairNames, options, runtime),
        },
        new()
        {
            Name = ShapesCnn,
            Summary = "the shape world's CNN trained here on the same task as shapes-vit, for comparison",
            Load = (options, runtime) => SceneModel(ShapesCnn, ShapeWorld.PairNames, options, runtime),
        },
        new()
        {
            Name = ShapesSegmenter,
            Summary = "a semantic segmenter trained here on the shape world: the background and the 25 pairs",
            Load = (options, runtime) => SceneModel(ShapesSegmenter, ShapeWorld.PixelClassNames, options, runtime),
        },
        new()
        {
            Name = ShapesDetector,
            Summary = "a single-tensor object detector trained here on the shape world; explain it with gradcam detect",
            Load = (options, runtime) => SceneModel(ShapesDetector, ShapeWorld.PairNames, options, runtime),
        },
        new()
        {
            Name = PhotosDetector,
            Summary = "the same detector trained here on composites of the sample photos' objects; gradcam detect",
            Load = (options, runtime) => SceneModel(PhotosDetector, PhotoWorld.LabelsOf(PhotoAnnotations.Read(
                Path.Combine(DefaultModel.SamplesFolder, "boxes.json"), DefaultModel.SamplesFolder)
                .SelectMany(photo => photo.Objects)), options, runtime),
        },
        new()
        {
            Name = VolumesCnn,
            Summary = "a 3-D CNN trained here on the volume world: spheres and cubes in noise; explain a .npy volume",
            Load = (options, runtime) => SceneModel(VolumesCnn, VolumeWorld.ClassNames, options, runtime),
        },
        .. TorchVisionModels.Names.Order(StringComparer.Ordinal).Select(architecture => new ModelDescriptor
        {
            Name = architecture,
            Summary = $"TorchVision's {architecture} with random weights, for timing (a .pth checkpoint has real ones)",
            TakesPreprocessing = true,
            Load = (options, _) => TorchVision(architecture, options),
        }),
    ];

    /// <summary>Every registered name, in registry order.</summary>
    public static IReadOnlyList<string> Names { get; } = [.. Registered.Select(m => m.Name)];

    /// <summary>What <c>--model</c> accepts, for help texts and errors.</summary>
    public static string Accepted =>
        $"{string.Join(", ", Names)}, an .onnx file, or a .pth checkpoint of a TorchVision architecture";

    /// <summary>The model called <paramref name="name"/> (case-insensitive), or null.</summary>
    public static ModelDescriptor? Find(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return Registered.FirstOrDefault(m => string.Equals(m.Name, name, StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>A shipped shape-world model: an ONNX file beside the assembly, with its classes.</summary>
    private static LoadedModel SceneModel(string name, IReadOnlyList<string> classes, ModelLoadOptions options,
        OnnxRuntimeChoice runtime) =>
        ModelCatalog.LoadOnnx(Path.Combine(AppContext.BaseDirectory, "models", "scenes", name + ".onnx"),
            KnownPreprocessing.ShapeWorld, preprocessingGiven: true,
            options.LabelsPath is string labels ? Labels.Read(labels) : classes,
            options.RandomWeightsSeed, options.RandomizedBand, runtime);

    private static LoadedModel OcrDetectorModel()
    {
        string path = PaddleOcrModels.Require(PaddleOcrModels.Folder, PaddleOcrModels.DetectorFile);
        return new LoadedModel
        {
            Name = "ppocrv4-det",
            Model = new OnnxExplainableModel(OnnxModule.Load(path)),
            Preprocessing = PaddleOcrModels.DetectorPreprocessingFor(PaddleOcrModels.DetectorMaximumSide,
                PaddleOcrModels.DetectorMaximumSide),
            PreprocessingFor = PaddleOcrModels.DetectorPreprocessingFor,
            ScoreKind = "probability sum",
            DefaultLayer = PaddleOcrModels.DetectorLayer,
        };
    }

    private static LoadedModel TorchVision(string architecture, ModelLoadOptions options) => new()
    {
        Name = architecture,
        Model = new TorchModuleModel(TorchVisionModels.Create(architecture), architecture),
        Preprocessing = ModelCatalog.ResolvePreprocessing(options.Preprocess, KnownPreprocessing.ImageNet),
        Labels = options.LabelsPath is string labels ? Labels.Read(labels) : Labels.ImageNet,
        Notice = $"{architecture} has random weights: use it for timing, not for explanations (give a .pth " +
            "checkpoint for real weights)",
    };
}
