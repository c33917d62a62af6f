using GradCamSharp.Imaging;
using GradCamSharp.Models;
using SkiaSharp;
using static TorchSharp.torch;
using GradCamSharp.Catalog;

namespace GradCamSharp.VisionLanguage;

/// <summary>
/// A captioner (<see cref="Captioner"/>) or a VQA model (<see cref="VqaModel"/>) ready to run and to explain: an image
/// encoder (the shape world's CNN, or the embedded ResNet18 up to its 7x7 layer) and a head that reads text. Each fixes
/// its text (<see cref="Captioner.ForCaption"/>, <see cref="VqaModel.ForQuestion"/>) and returns an ordinary
/// <see cref="IExplainableModel"/>, so every method and target applies. The two are types of their own, so that asking
/// a captioner a question does not compile.
/// </summary>
public abstract class VisionLanguageModel : IDisposable
{
    /// <summary>The shape world's CNN, trained from scratch with the head.</summary>
    public const string ShapeEncoderName = "shapes-cnn";

    /// <summary>The embedded ImageNet ResNet18 up to its last 7x7 layer, frozen.</summary>
    public const string ResNetEncoderName = "resnet18";

    /// <summary>The most words of a question or caption, unless a model says otherwise.</summary>
    public const int DefaultMaxWords = 20;

    /// <summary>The widest beam <see cref="Captioner.Caption"/> searches with.</summary>
    public const int MaxBeamWidth = 20;

    private readonly VisionLanguageNetwork _network;

    private protected VisionLanguageModel(VisionLanguageFile file, VisionLanguageNetwork network,
        IExplainableModel encoder, Preprocessing preprocessing, string encoderLayer)
    {
        File = file;
        _network = network;
        Encoder = encoder;
        Preprocessing = preprocessing;
        EncoderLayer = encoderLayer;
        Vocabulary = new Vocabulary(file.Vocabulary);
    }

    /// <summary>What the model is: its name, task, world, recipe and held-out scores.</summary>
    public VisionLanguageFile File { get; private set; }

    /// <summary>The model's name.</summary>
    public string Name => File.Name;

    /// <summary>"captioner" or "vqa", as the model file and <c>gradcam train</c> name the task.</summary>
    public string Task => File.Training.Task;

    /// <summary>The words it reads or writes.</summary>
    public Vocabulary Vocabulary { get; }

    /// <summary>How photos become its input.</summary>
    public Preprocessing Preprocessing { get; }

    /// <summary>The image encoder alone.</summary>
    public IExplainableModel Encoder { get; }

    /// <summary>The encoder's output layer: the CNN layer the paper explains.</summary>
    public string EncoderLayer { get; }

    /// <summary>The layers worth explaining: the encoder's output (and a VQA model's fused layer).</summary>
    public virtual IReadOnlyList<string> ExplainedLayers => [EncoderLayer];

    internal VisionLanguageNetwork Network => _network;

    /// <summary>
    /// A freshly initialised model (seed TorchSharp first) for training: a <see cref="Captioner"/> or a
    /// <see cref="VqaModel"/> as the recipe's task says.
    /// </summary>
    public static VisionLanguageModel Create(VisionLanguageRecipe recipe, string name, Vocabulary vocabulary,
        IReadOnlyList<string> answers, int maxWords)
    {
        ArgumentNullException.ThrowIfNull(recipe);
        ArgumentNullException.ThrowIfNull(vocabulary);
        var file = new VisionLanguageFile
        {
            Name = name,
            Encoder = recipe.World == "photos" ? ResNetEncoderName : ShapeEncoderName,
            Training = recipe,
            Vocabulary = [.. vocabulary.UserWords],
            Answers = answers,
            MaxWords = maxWords,
            Weights = name + ".bin",
        };
        return Build(file, null);
    }

    /// <summary>Loads a model from its JSON description and the weights beside it.</summary>
    /// <exception cref="UnreadableInputException">Either file is missing or does not fit.</exception>
    public static VisionLanguageModel Load(string path)
    {
        VisionLanguageFile file = VisionLanguageFile.Load(path);
        string weights = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path))!, file.Weights);
        if (!System.IO.File.Exists(weights)) throw new UnreadableInputException($"the weights {weights} are missing");
        return Build(file, weights);
    }

    /// <summary>Writes the description to <paramref name="path"/> and the weights beside it.</summary>
    /// <param name="path">The JSON file; the weights get the same name with ".bin".</param>
    /// <param name="epochs">The training report to record.</param>
    public void Save(string path, IReadOnlyList<EpochReport> epochs)
    {
        ArgumentNullException.ThrowIfNull(path);
        string weights = Path.ChangeExtension(Path.GetFileName(path), ".bin");
        File = new VisionLanguageFile
        {
            Name = Path.GetFileNameWithoutExtension(path),
            About = $"A {Kind} for the " +
                $"{File.Training.World} world, made by 'gradcam train {Task} --world {File.Training.World} --scenes " +
                $"{File.Training.Scenes} --epochs {File.Training.Epochs} --seed {File.Training.Seed}'.",
            Encoder = File.Encoder,
            Training = File.Training,
            Vocabulary = File.Vocabulary,
            Answers = File.Answers,
            MaxWords = File.MaxWords,
            Epochs = epochs,
            Weights = weights,
        };
        string folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(folder);
        // Written beside their final names, then renamed, so that a crash never leaves a half-written model.
        string weightsPath = Path.Combine(folder, weights);
        _network.save(weightsPath + ".partial");
        System.IO.File.WriteAllText(path + ".partial", File.ToJson());
        System.IO.File.Move(weightsPath + ".partial", weightsPath, overwrite: true);
        System.IO.File.Move(path + ".partial", path, overwrite: true);
    }

    /// <summary>The model input for photos or scenes (resized and normalised as the encoder expects).</summary>
    public Tensor Prepare(IEnumerable<SKBitmap> images)
    {
        ArgumentNullException.ThrowIfNull(images);
        Tensor[] each = images.Select(image => ImagePreprocessor.Prepare(image, Preprocessing).ToTensor()).ToArray();
        if (each.Length == 0) throw new ArgumentException("no images", nameof(images));
        Tensor batch = cat(each, 0);
        foreach (Tensor one in each) one.Dispose();
        return batch;
    }

    /// <summary>The encoder's features for <paramref name="input"/>, without gradients.</summary>
    public Tensor Features(Tensor input)
    {
        using var noGradient = no_grad();
        using IDisposable state = Encoder.BeginExplanation();
        return Encoder.Forward(input, ForwardTaps.None);
    }

    /// <summary>What the model is, for messages: "captioner" or "VQA model".</summary>
    public abstract string Kind { get; }

    /// <inheritdoc />
    public void Dispose()
    {
        Encoder.Dispose();
        _network.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>[1, L] question ids.</summary>
    internal static Tensor QuestionTensor(int[] ids) => tensor(ids.Select(i => (long)i).ToArray()).unsqueeze(0);

    private static VisionLanguageModel Build(VisionLanguageFile file, string? weights)
    {
        var vocabulary = new Vocabulary(file.Vocabulary);
        bool photos = file.Encoder == ResNetEncoderName;
        if (!photos && file.Encoder != ShapeEncoderName)
            throw new UnreadableInputException($"unknown encoder '{file.Encoder}' in {file.Name}");
        if (file.Training.Head is not (VisionLanguageRecipe.StackedAttentionHead or VisionLanguageRecipe.GatedHead))
            throw new UnreadableInputException($"unknown head '{file.Training.Head}' in {file.Name}");
        int channels = photos ? DefaultModel.FeatureMapChannels : ShapeEncoder.ChannelsFor(file.Training);
        TorchSharp.torch.nn.Module<Tensor, Tensor, Tensor> head = file.Training.Task != VisionLanguageTasks.Vqa
            ? file.Training.Head == VisionLanguageRecipe.GatedHead
                ? new GatedCaptionHead(channels, vocabulary.Count) : new CaptionHead(channels, vocabulary.Count)
            : file.Training.Head == VisionLanguageRecipe.GatedHead
                ? new GatedVqaHead(channels, vocabulary.Count, file.Answers.Count)
                : new VqaHead(channels, vocabulary.Count, file.Answers.Count);
        var network = new VisionLanguageNetwork(photos ? null : ShapeEncoder.Create(channels), head);
        try
        {
            if (weights is not null) network.load(weights);
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            network.Dispose();
            throw new UnreadableInputException($"the weights {weights} do not fit {file.Name}: {exception.Message}",
                exception);
        }
        network.eval();
        IExplainableModel encoder = photos ? DefaultModel.LoadFeatureMap()
            : new TorchModuleModel(network.Encoder!, name: ShapeEncoderName, leaveOpen: true);
        Preprocessing preprocessing = photos ? DefaultModel.Preprocessing : ShapePreprocessing;
        string layer = photos ? DefaultModel.FeatureMapLayer : ShapeEncoder.OutputLayer;
        return file.Training.Task == VisionLanguageTasks.Vqa
            ? new VqaModel(file, network, encoder, preprocessing, layer)
            : new Captioner(file, network, encoder, preprocessing, layer);
    }

    /// <summary>The shape world's input: 128x128 RGB, scaled to about -2..2.</summary>
    public static Preprocessing ShapePreprocessing => KnownPreprocessing.ShapeWorld;
}
