using GradCamSharp.Imaging;
using GradCamSharp.Models;
using SkiaSharp;
using static TorchSharp.torch;
using GradCamSharp.Catalog;

namespace GradCamSharp.VisionLanguage;

/// <summary>
/// A captioner or a VQA model ready to run and to explain: an image encoder (the shape world's CNN, or the embedded
/// ResNet18 up to its 7x7 layer) and a head that reads text. <see cref="ForQuestion"/> and <see cref="ForCaption"/>
/// fix the text and return an ordinary <see cref="IExplainableModel"/>, so every method and target applies.
/// </summary>
public sealed class VisionLanguageModel : IDisposable
{
    /// <summary>The shape world's CNN, trained from scratch with the head.</summary>
    public const string ShapeEncoderName = "shapes-cnn";

    /// <summary>The embedded ImageNet ResNet18 up to its last 7x7 layer, frozen.</summary>
    public const string ResNetEncoderName = "resnet18";

    /// <summary>The most words of a question or caption, unless a model says otherwise.</summary>
    public const int DefaultMaxWords = 20;

    /// <summary>The widest beam <see cref="Caption"/> searches with.</summary>
    public const int MaxBeamWidth = 20;

    private readonly VisionLanguageNetwork _network;

    private VisionLanguageModel(VisionLanguageFile file, VisionLanguageNetwork network, IExplainableModel encoder,
        Preprocessing preprocessing, string encoderLayer)
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

    /// <summary>"captioner" or "vqa".</summary>
    public string Task => File.Training.Task;

    /// <summary>The words it reads or writes.</summary>
    public Vocabulary Vocabulary { get; }

    /// <summary>The answers, in logit order (VQA).</summary>
    public IReadOnlyList<string> Answers => File.Answers;

    /// <summary>How photos become its input.</summary>
    public Preprocessing Preprocessing { get; }

    /// <summary>The image encoder alone.</summary>
    public IExplainableModel Encoder { get; }

    /// <summary>The encoder's output layer: the CNN layer the paper explains.</summary>
    public string EncoderLayer { get; }

    /// <summary>The question-conditioned layer of a VQA model (null for captioners).</summary>
    public string? FusedLayer => Task != VisionLanguageTasks.Vqa ? null
        : EncoderHeadModel.HeadPrefix + (File.Training.Head == VisionLanguageRecipe.GatedHead
            ? GatedVqaHead.FusedLayer : VqaHead.FusedLayer);

    /// <summary>The layers worth explaining: the encoder's output, and a VQA model's fused layer.</summary>
    public IReadOnlyList<string> ExplainedLayers => FusedLayer is string fused ? [EncoderLayer, fused] : [EncoderLayer];

    internal VisionLanguageNetwork Network => _network;

    /// <summary>A freshly initialised model (seed TorchSharp first) for training.</summary>
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
            About = $"A {(Task == VisionLanguageTasks.Vqa ? "VQA model" : "captioner")} for the " +
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

    /// <summary>The ids of <paramref name="question"/>, or a usage error (unknown word, empty, too long).</summary>
    public int[] EncodeQuestion(string question) => Vocabulary.Encode(question, File.MaxWords, "question");

    /// <summary>The ids of <paramref name="caption"/>, or a usage error (unknown word, empty, too long).</summary>
    public int[] EncodeCaption(string caption) => Vocabulary.Encode(caption, File.MaxWords, "caption");

    /// <summary>The index of <paramref name="answer"/>, or a usage error listing the answers.</summary>
    public int AnswerIndex(string answer)
    {
        ArgumentNullException.ThrowIfNull(answer);
        int index = Answers.ToList().IndexOf(answer.Trim().ToLowerInvariant());
        return index >= 0 ? index : throw new UsageException(
            $"'{answer}' is not an answer this model gives; it knows: {string.Join(", ", Answers)}");
    }

    /// <summary>The <paramref name="count"/> likeliest answers to <paramref name="question"/>, best first.</summary>
    public IReadOnlyList<(string Answer, float Probability)> Answer(Tensor input, string question, int count = 3)
    {
        RequireTask(VisionLanguageTasks.Vqa);
        int[] ids = EncodeQuestion(question);
        using var scope = NewDisposeScope();
        using var noGradient = no_grad();
        Tensor probabilities = _network.Head.call(Features(input), QuestionTensor(ids)).softmax(-1)[0];
        float[] values = probabilities.data<float>().ToArray();
        return values.Select((p, i) => (Answers[i], p)).OrderByDescending(a => a.p).Take(count).ToArray();
    }

    /// <summary>The index of the likeliest answer to <paramref name="question"/> given encoded features.</summary>
    internal int AnswerFromFeatures(Tensor features, int[] question)
    {
        using var scope = NewDisposeScope();
        using var noGradient = no_grad();
        return (int)_network.Head.call(features, QuestionTensor(question)).argmax(-1).item<long>();
    }

    /// <summary>
    /// The model's caption for each image of <paramref name="input"/>: greedy decoding for a beam width of 1, beam
    /// search otherwise.
    /// </summary>
    public IReadOnlyList<string> Caption(Tensor input, int beamWidth = 1)
    {
        RequireTask(VisionLanguageTasks.Captioner);
        if (beamWidth is < 1 or > MaxBeamWidth)
            throw new UsageException($"the beam width must lie in 1..{MaxBeamWidth}, got {beamWidth}");
        using var scope = NewDisposeScope();
        var head = (CaptionDecoderHead)_network.Head;
        return head.Generate(Features(input), File.MaxWords, beamWidth).Select(Vocabulary.Decode).ToArray();
    }

    /// <summary>The model with <paramref name="question"/> fixed: image in, answer logits out.</summary>
    public IExplainableModel ForQuestion(int[] question)
    {
        RequireTask(VisionLanguageTasks.Vqa);
        ArgumentNullException.ThrowIfNull(question);
        int[] ids = [.. question];
        var head = new TorchModuleModel(_network.Head, features =>
        {
            using Tensor words = QuestionTensor(ids);
            return _network.Head.call(features, words);
        }, name: "vqa", leaveOpen: true);
        return new EncoderHeadModel(Encoder, head, leaveOpen: true);
    }

    /// <summary>
    /// The model reading <paramref name="caption"/> teacher-forced: image in, [N, words + 1, V] logits out, position
    /// t predicting word t and the last position the end (see <see cref="Targets.SequenceTarget"/>).
    /// </summary>
    public IExplainableModel ForCaption(int[] caption)
    {
        RequireTask(VisionLanguageTasks.Captioner);
        ArgumentNullException.ThrowIfNull(caption);
        int[] ids = [.. caption];
        var head = new TorchModuleModel(_network.Head, features =>
        {
            using Tensor words = tensor(ids.Select(i => (long)i).ToArray()).unsqueeze(0);
            return _network.Head.call(features, words);
        }, name: "captioner", leaveOpen: true);
        return new EncoderHeadModel(Encoder, head, leaveOpen: true);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Encoder.Dispose();
        _network.Dispose();
    }

    /// <summary>[1, L] question ids.</summary>
    internal static Tensor QuestionTensor(int[] ids) => tensor(ids.Select(i => (long)i).ToArray()).unsqueeze(0);

    private void RequireTask(string task)
    {
        if (Task != task)
        {
            throw new UsageException($"{Name} is a {(Task == VisionLanguageTasks.Vqa ? "VQA model" : "captioner")}; " +
                $"this needs a {(task == VisionLanguageTasks.Vqa ? "VQA model" : "captioner")}");
        }
    }

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
        return new VisionLanguageModel(file, network, encoder, preprocessing, layer);
    }

    /// <summary>The shape world's input: 128x128 RGB, scaled to about -2..2.</summary>
    public static Preprocessing ShapePreprocessing { get; } = new()
    {
        Width = 128,
        Height = 128,
        Scale = 1f / 255f,
        Mean = [0.5f, 0.5f, 0.5f],
        Std = [0.25f, 0.25f, 0.25f],
    };
}
