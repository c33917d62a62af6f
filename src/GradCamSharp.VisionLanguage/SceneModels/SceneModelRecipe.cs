using GradCamSharp.Scenes;

namespace GradCamSharp.VisionLanguage.SceneModels;

/// <summary>
/// How <c>gradcam train classifier|segmenter|detector</c> trains a model of the shape world: which architecture, on
/// how many scenes, for how many epochs, from which seed. <see cref="For"/> gives the recipes of the shipped
/// <c>shapes-vit</c>, <c>shapes-cnn</c>, <c>shapes-segmenter</c> and <c>shapes-detector</c>.
/// </summary>
public sealed record SceneModelRecipe
{
    /// <summary>The vision transformer (<c>shapes-vit</c>).</summary>
    public const string Transformer = "vit";

    /// <summary>The Swin transformer (<c>shapes-swin</c>): windowed attention, a head that pools every token.
    /// </summary>
    public const string Swin = "swin";

    /// <summary>The CNN it is compared with (<c>shapes-cnn</c>).</summary>
    public const string ConvNet = "cnn";

    /// <summary>The semantic segmenter (<c>shapes-segmenter</c>): a class per pixel.</summary>
    public const string Segmenter = "segmenter";

    /// <summary>The single-tensor object detector (<c>shapes-detector</c>): per cell an object, its box and pair.
    /// </summary>
    public const string Detector = "detector";

    /// <summary>Every architecture: the classifiers' by the name <c>--architecture</c> takes, the segmenter and the
    /// detector.</summary>
    public static IReadOnlyList<string> Architectures { get; } = [Transformer, Swin, ConvNet, Segmenter, Detector];

    /// <summary>Which world it learns: the shape world, or for a detector also the photo world's composites
    /// (<c>photos-detector</c>).</summary>
    public string World { get; init; } = SceneWorlds.Shapes;

    /// <summary>Which network: <see cref="Transformer"/>, <see cref="Swin"/>, <see cref="ConvNet"/>,
    /// <see cref="Segmenter"/> or <see cref="Detector"/>.</summary>
    public string Architecture { get; init; } = Transformer;

    /// <summary>Training scenes (seed <see cref="Seed"/>, scenes 0 to this - 1).</summary>
    public int Scenes { get; init; } = 8000;

    /// <summary>Passes over the training scenes.</summary>
    public int Epochs { get; init; } = 6;

    /// <summary>Scenes per step.</summary>
    public int BatchSize { get; init; } = 64;

    /// <summary>The one-cycle schedule's peak learning rate (AdamW).</summary>
    public double LearningRate { get; init; } = 2e-3;

    /// <summary>Seeds the scenes, the initial weights and the batches' order.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>Scenes checked after every epoch, drawn from <see cref="HeldOutSeed"/>.</summary>
    public int HeldOutScenes { get; init; } = 300;

    /// <summary>The seed of the scenes checked after every epoch: never one trained on.</summary>
    public int HeldOutSeed => Seed + 1;

    /// <summary>
    /// The shipped recipe of <paramref name="architecture"/>: the transformer 6 epochs of 8000 scenes (about 15
    /// minutes on 2 cores); the Swin, whose windowed attention costs less a step, 16 (about 14 minutes); the CNN, four
    /// times cheaper a step, 20; the segmenter, whose loss is over every pixel, 8 of 4000 (about 10 minutes); the
    /// detector 20 of 4000 (about 4 minutes).
    /// </summary>
    public static SceneModelRecipe For(string architecture, string world = SceneWorlds.Shapes) => architecture switch
    {
        Detector when world == SceneWorlds.Photos => new()
        {
            Architecture = architecture, World = world, Scenes = PhotoDetectorScenes, Epochs = PhotoDetectorEpochs,
        },
        Transformer => new() { Architecture = architecture, Epochs = 6 },
        Swin => new() { Architecture = architecture, Epochs = 16 },
        Segmenter => new() { Architecture = architecture, Scenes = 4000, Epochs = 8 },
        Detector => new() { Architecture = architecture, Scenes = 4000, Epochs = 20 },
        _ => new() { Architecture = architecture, Epochs = 20 },
    };

    /// <summary>The photo-world detector's training scenes.</summary>
    public const int PhotoDetectorScenes = 4000;

    /// <summary>The photo-world detector's epochs.</summary>
    public const int PhotoDetectorEpochs = 20;

    /// <summary>The name the model is shipped under: <c>shapes-vit</c>, <c>shapes-cnn</c>, <c>photos-detector</c>...
    /// </summary>
    public string ModelName => $"{World}-{Architecture}";

    /// <summary>Throws a <see cref="UsageException"/> naming what is out of range.</summary>
    public void Validate()
    {
        if (!Architectures.Contains(Architecture))
        {
            throw new UsageException($"unknown architecture '{Architecture}'; known: " +
                string.Join(", ", Architectures));
        }
        if (World != SceneWorlds.Shapes && (World != SceneWorlds.Photos || Architecture != Detector))
            throw new UsageException($"a {Architecture} is trained on the shapes world only (a detector on either)");
        if (Scenes < BatchSize) throw new UsageException($"--scenes must be at least {BatchSize}, got {Scenes}");
        if (Epochs < 1) throw new UsageException($"--epochs must be at least 1, got {Epochs}");
        if (HeldOutScenes < 1) throw new UsageException($"held-out scenes must be at least 1, got {HeldOutScenes}");
    }
}
