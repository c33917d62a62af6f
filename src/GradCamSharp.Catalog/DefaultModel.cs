using GradCamSharp.Imaging;
using GradCamSharp.Models;
using GradCamSharp.Onnx;
using GradCamSharp.Catalog.Heads;
using GradCamSharp.Scenes;

namespace GradCamSharp.Catalog;

/// <summary>
/// The embedded default model: ML.NET's ImageNet-trained ResNet18 (NuGet Microsoft.ML.DnnImageFeaturizer.ResNet18,
/// a CNTK export cut after global pooling), preceded by its own preprocessing graph and topped with a linear head
/// over twelve everyday objects and background, trained on the shipped photos (<c>gradcam train-head</c>).
/// </summary>
public static class DefaultModel
{
    /// <summary>The name of the default model in manifests.</summary>
    public const string Name = "resnet18-everyday";

    /// <summary>The name of the earlier prototype head, kept for comparison.</summary>
    public const string PrototypesName = "resnet18-prototypes";

    /// <summary>What the head files describe as their features.</summary>
    public const string FeaturesDescription =
        "Microsoft.ML.DnnImageFeaturizer.ResNet18 0.23.1, pooled ReLU393_Output_0 (512x7x7)";

    /// <summary>The input convention of the preprocessing graph: RGB, 224x224, 0..255.</summary>
    public static Preprocessing Preprocessing { get; } = new() { Scale = 1f, Mean = [0f, 0f, 0f], Std = [1f, 1f, 1f] };

    /// <summary>Where the ONNX files are copied at build time.</summary>
    public static string ModelFolder => Path.Combine(AppContext.BaseDirectory, "models", "resnet18");

    /// <summary>The built-in trained head.</summary>
    public static string HeadFile => Path.Combine(AppContext.BaseDirectory, "heads", "resnet18-everyday.json");

    /// <summary>The earlier prototype head.</summary>
    public static string PrototypeFile => Path.Combine(AppContext.BaseDirectory, "heads", "resnet18-prototypes.json");

    /// <summary>The shipped photos and their boxes, copied beside the program (the head's training data).</summary>
    public static string SamplesFolder => Path.Combine(AppContext.BaseDirectory, "samples");

    /// <summary>
    /// The shipped photos in <see cref="SamplesFolder"/>, full paths in name order (none if it is missing).
    /// </summary>
    public static IReadOnlyList<string> SamplePhotos() => Directory.Exists(SamplesFolder)
        ? [.. Directory.EnumerateFiles(SamplesFolder).Where(ImageLoader.IsImageFile).Order(StringComparer.Ordinal)]
        : [];

    /// <summary>The featurizer alone: photo in (RGB 0..255), [N, 512, 1, 1] features out.</summary>
    /// <param name="randomWeightsSeed">When given, the network's weights are replaced by random ones (for sanity
    /// checks).</param>
    /// <param name="randomizedBand">Which weights are randomised (default all).</param>
    /// <exception cref="UnreadableInputException">The model files are missing (the build copies them from the NuGet
    /// package).</exception>
    /// <param name="runtime">Whether ONNX Runtime runs what needs no gradient, and who hears of a fallback.</param>
    public static IExplainableModel LoadFeatures(int? randomWeightsSeed = null, WeightBand? randomizedBand = null,
        OnnxRuntimeChoice? runtime = null) =>
        Featurizer(output: null, runtime,
            randomWeightsSeed is int seed ? trained => trained.WithRandomWeights(seed, randomizedBand) : null);

    /// <summary>The last 7x7 layer of the featurizer (module path <c>layer4</c>): the map Grad-CAM explains.</summary>
    public const string FeatureMapLayer = "ReLU393_Output_0";

    /// <summary>The channels of <see cref="FeatureMapLayer"/>.</summary>
    public const int FeatureMapChannels = 512;

    /// <summary>
    /// The featurizer up to <see cref="FeatureMapLayer"/>: photo in (RGB 0..255), [N, 512, 7, 7] features out, the
    /// frozen image encoder of the photo world's captioner and VQA model.
    /// </summary>
    /// <param name="runtime">Whether ONNX Runtime runs what needs no gradient, and who hears of a fallback.</param>
    public static IExplainableModel LoadFeatureMap(OnnxRuntimeChoice? runtime = null) =>
        Featurizer(FeatureMapLayer, runtime);

    /// <summary>
    /// The preprocessing graph chained to the network, read from <see cref="ModelFolder"/>, explaining
    /// <paramref name="output"/> (default: the network's output); <paramref name="weights"/> may replace the network
    /// by another (its random-weight copy).
    /// </summary>
    private static ChainedModel Featurizer(string? output, OnnxRuntimeChoice? runtime,
        Func<OnnxModule, OnnxModule>? weights = null)
    {
        string network = Path.Combine(ModelFolder, "ResNet18.onnx");
        string preprocessing = Path.Combine(ModelFolder, "ResNetPreprocess.onnx");
        if (!File.Exists(network) || !File.Exists(preprocessing))
        {
            throw new UnreadableInputException($"the default model is missing from {ModelFolder}; build the project " +
                "(it comes from the NuGet package Microsoft.ML.DnnImageFeaturizer.ResNet18)");
        }
        OnnxModule main = OnnxModule.Load(network);
        if (weights is not null)
        {
            using OnnxModule trained = main;
            main = weights(trained);
        }
        runtime ??= OnnxRuntimeChoice.Default;
        return new ChainedModel(runtime.Wrap(new OnnxExplainableModel(OnnxModule.Load(preprocessing))),
            runtime.Wrap(new OnnxExplainableModel(main, output: output)));
    }

    /// <summary>The default model with its trained head.</summary>
    /// <param name="labelsOverride">Other names for the head's classes.</param>
    /// <param name="randomizedBand">Which weights are randomised (default all).</param>
    /// <param name="randomWeightsSeed">When given, the network below the head gets random weights (for sanity
    /// checks).</param>
    /// <param name="runtime">Whether ONNX Runtime runs what needs no gradient, and who hears of a fallback.</param>
    /// <example>
    /// <code>
    /// using LoadedModel model = DefaultModel.Load();
    /// IReadOnlyList&lt;Explanation&gt; maps = new GradCam(model.Model).Explain(input, new ClassTarget(0));
    /// </code>
    /// </example>
    public static LoadedModel Load(IReadOnlyList<string>? labelsOverride = null, int? randomWeightsSeed = null,
        WeightBand? randomizedBand = null, OnnxRuntimeChoice? runtime = null) =>
        WithHead(Name, LoadFeatures(randomWeightsSeed, randomizedBand, runtime), Preprocessing,
            Heads.HeadFile.Load(HeadFile), labelsOverride);

    /// <summary>
    /// The default network with the earlier prototype head (cosine similarities to mean crop features).
    /// </summary>
    public static LoadedModel LoadPrototypes(int? randomWeightsSeed = null, WeightBand? randomizedBand = null,
        OnnxRuntimeChoice? runtime = null)
    {
        PrototypeSet prototypes = PrototypeSet.Load(PrototypeFile);
        var head = new PrototypeClassifier(LoadFeatures(randomWeightsSeed, randomizedBand, runtime), prototypes.Labels,
            prototypes.Vectors);
        return new LoadedModel
        {
            Name = PrototypesName,
            Model = head,
            Preprocessing = Preprocessing,
            Labels = head.Labels,
            ScoreKind = "similarity",
        };
    }

    /// <summary>
    /// A loaded model of <paramref name="features"/> (which it owns) under the head of <paramref name="file"/>.
    /// </summary>
    public static LoadedModel WithHead(string name, IExplainableModel features, Preprocessing preprocessing,
        HeadFile file,
        IReadOnlyList<string>? labelsOverride = null)
    {
        var head = new LinearHead(features, file.Labels, file.Weights, file.Bias, file.Background);
        return new LoadedModel
        {
            Name = name,
            Model = head,
            Preprocessing = preprocessing,
            Labels = labelsOverride ?? head.Labels,
            ScoreKind = "logit",
            NotAnswers = head.BackgroundIndex is int background ? [background] : [],
        };
    }

    /// <summary>
    /// Trains the default head from the annotated photos of <paramref name="boxes"/>: one class per label, in the
    /// order they first appear, plus background.
    /// </summary>
    /// <param name="options">The recipe (its defaults made the shipped head).</param>
    /// <param name="boxes">The photos' annotations (<c>samples/boxes.json</c>).</param>
    /// <param name="images">The folder of the photos.</param>
    /// <param name="progress">A line every few batches of scenes and every few steps.</param>
    /// <param name="cancellation">Checked between batches and steps; nothing is returned when it fires.</param>
    /// <exception cref="OperationCanceledException"><paramref name="cancellation"/> fired.</exception>
    public static HeadFile TrainHead(HeadTrainingOptions options, string boxes, string images,
        IProgress<string>? progress = null, CancellationToken cancellation = default)
    {
        IReadOnlyList<AnnotatedPhoto> photos = PhotoAnnotations.Read(boxes, images);
        string[] classes = photos.SelectMany(p => p.Objects).Select(o => o.Label).Distinct().ToArray();
        using IExplainableModel features = LoadFeatures();
        TrainedHead trained = HeadTrainer.Train(features, Preprocessing, photos, classes, options, progress,
            cancellation);
        return new HeadFile
        {
            Model = FeaturesDescription,
            About = "The default model's head: a linear softmax classifier over pooled ResNet18 features, trained by " +
                "'gradcam train-head' from composite scenes and windows of the annotated photos listed under " +
                "'examples' (samples/boxes.json), every feature-map cell labelled with the object covering it.",
            Labels = trained.Labels,
            Background = HeadTrainer.BackgroundLabel,
            Training = options,
            HeldOut = trained.HeldOut,
            Examples = photos.SelectMany(p => p.Objects.Select(o => (o.Label,
                Example: $"{p.Name}#{o.Box.X0},{o.Box.Y0},{o.Box.X1},{o.Box.Y1}")))
                .GroupBy(e => e.Label).ToDictionary(g => g.Key,
                    g => (IReadOnlyList<string>)g.Select(e => e.Example).ToArray()),
            Weights = trained.Weights,
            Bias = trained.Bias,
        };
    }
}
