using GradCamSharp.Imaging;
using GradCamSharp.Models;
using GradCamSharp.Onnx;

namespace GradCamSharp.Runtime;

/// <summary>
/// The embedded default model: ML.NET's ImageNet-trained ResNet18 (NuGet Microsoft.ML.DnnImageFeaturizer.ResNet18,
/// a CNTK export cut after global pooling), preceded by its own preprocessing graph and topped with a prototype head
/// over everyday objects. The head is not an ImageNet classifier: each score is the cosine similarity of the photo's
/// ResNet18 feature to the mean feature of a few example crops of shipped photos.
/// </summary>
public static class DefaultModel
{
    /// <summary>The default target layer: the last ReLU, [N, 512, 7, 7].</summary>
    public const string Layer = "ReLU393_Output_0";

    /// <summary>The input convention of the preprocessing graph: RGB, 224x224, 0..255.</summary>
    public static Preprocessing Preprocessing { get; } = new() { Scale = 1f, Mean = [0f, 0f, 0f], Std = [1f, 1f, 1f] };

    /// <summary>Where the ONNX files are copied at build time.</summary>
    public static string ModelFolder => Path.Combine(AppContext.BaseDirectory, "models", "resnet18");

    /// <summary>The built-in prototype file.</summary>
    public static string PrototypeFile => Path.Combine(AppContext.BaseDirectory, "prototypes", "resnet18-everyday.json");

    /// <summary>The featurizer alone: photo in (RGB 0..255), [N, 512, 1, 1] features out.</summary>
    /// <param name="randomWeightsSeed">When given, the network's weights are replaced by random ones (for sanity checks).</param>
    /// <exception cref="ModelLoadException">The model files are missing (the build copies them from the NuGet package).</exception>
    public static (IExplainableModel Features, IDisposable Owned) LoadFeatures(int? randomWeightsSeed = null)
    {
        string network = Path.Combine(ModelFolder, "ResNet18.onnx");
        string preprocessing = Path.Combine(ModelFolder, "ResNetPreprocess.onnx");
        if (!File.Exists(network) || !File.Exists(preprocessing))
            throw new ModelLoadException($"the default model is missing from {ModelFolder}; build the project (it comes from the NuGet package Microsoft.ML.DnnImageFeaturizer.ResNet18)");
        OnnxModule prep = OnnxModule.Load(preprocessing);
        OnnxModule main = OnnxModule.Load(network);
        if (randomWeightsSeed is int seed)
        {
            OnnxModule trained = main;
            main = trained.WithRandomWeights(seed);
            trained.Dispose();
        }
        var features = new ChainedModel(new OnnxExplainableModel(prep), new OnnxExplainableModel(main));
        return (features, new CompositeDisposable(prep, main));
    }

    /// <summary>The default model with the built-in prototype head.</summary>
    /// <param name="labelsOverride">Other names for the prototypes' classes.</param>
    /// <param name="randomWeightsSeed">When given, the network below the head gets random weights (for sanity checks).</param>
    public static LoadedModel Load(IReadOnlyList<string>? labelsOverride = null, int? randomWeightsSeed = null)
    {
        (IExplainableModel features, IDisposable owned) = LoadFeatures(randomWeightsSeed);
        PrototypeSet prototypes = PrototypeSet.Load(PrototypeFile);
        var head = new PrototypeClassifier(features, prototypes.Labels, prototypes.Vectors);
        return new LoadedModel
        {
            Name = "resnet18-prototypes",
            Model = head,
            Preprocessing = Preprocessing,
            Labels = labelsOverride ?? head.Labels,
            DefaultLayer = Layer,
            Owned = new CompositeDisposable(head, owned),
        };
    }
}
