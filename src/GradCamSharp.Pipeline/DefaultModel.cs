using GradCamSharp.Imaging;
using GradCamSharp.Models;
using GradCamSharp.Onnx;

namespace GradCamSharp.Pipeline;

/// <summary>
/// The embedded default model: ML.NET's ImageNet-trained ResNet18 (NuGet Microsoft.ML.DnnImageFeaturizer.ResNet18,
/// a CNTK export cut after global pooling), preceded by its own preprocessing graph and topped with a head over
/// everyday objects.
/// </summary>
public static class DefaultModel
{
    /// <summary>The name of the default model in manifests.</summary>
    public const string Name = "resnet18-prototypes";

    /// <summary>The input convention of the preprocessing graph: RGB, 224x224, 0..255.</summary>
    public static Preprocessing Preprocessing { get; } = new() { Scale = 1f, Mean = [0f, 0f, 0f], Std = [1f, 1f, 1f] };

    /// <summary>Where the ONNX files are copied at build time.</summary>
    public static string ModelFolder => Path.Combine(AppContext.BaseDirectory, "models", "resnet18");

    /// <summary>The built-in prototype file.</summary>
    public static string PrototypeFile =>
        Path.Combine(AppContext.BaseDirectory, "prototypes", "resnet18-everyday.json");

    /// <summary>The featurizer alone: photo in (RGB 0..255), [N, 512, 1, 1] features out.</summary>
    /// <param name="randomWeightsSeed">When given, the network's weights are replaced by random ones (for sanity
    /// checks).</param>
    /// <exception cref="UnreadableInputException">The model files are missing (the build copies them from the NuGet
    /// package).</exception>
    public static IExplainableModel LoadFeatures(int? randomWeightsSeed = null)
    {
        string network = Path.Combine(ModelFolder, "ResNet18.onnx");
        string preprocessing = Path.Combine(ModelFolder, "ResNetPreprocess.onnx");
        if (!File.Exists(network) || !File.Exists(preprocessing))
        {
            throw new UnreadableInputException($"the default model is missing from {ModelFolder}; build the project " +
                "(it comes from the NuGet package Microsoft.ML.DnnImageFeaturizer.ResNet18)");
        }
        OnnxModule main = OnnxModule.Load(network);
        if (randomWeightsSeed is int seed)
        {
            using OnnxModule trained = main;
            main = trained.WithRandomWeights(seed);
        }
        return new ChainedModel(new OnnxExplainableModel(OnnxModule.Load(preprocessing)),
            new OnnxExplainableModel(main));
    }

    /// <summary>The default model with the built-in head.</summary>
    /// <param name="labelsOverride">Other names for the head's classes.</param>
    /// <param name="randomWeightsSeed">When given, the network below the head gets random weights (for sanity
    /// checks).</param>
    public static LoadedModel Load(IReadOnlyList<string>? labelsOverride = null, int? randomWeightsSeed = null)
    {
        PrototypeSet prototypes = PrototypeSet.Load(PrototypeFile);
        var head = new PrototypeClassifier(LoadFeatures(randomWeightsSeed), prototypes.Labels, prototypes.Vectors);
        return new LoadedModel
        {
            Name = Name,
            Model = head,
            Preprocessing = Preprocessing,
            Labels = labelsOverride ?? head.Labels,
            ScoreKind = "similarity",
        };
    }
}
