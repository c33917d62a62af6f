using GradCamSharp.Imaging;
using GradCamSharp.Models;
using GradCamSharp.Onnx;
using GradCamSharp.Catalog.Heads;
using GradCamSharp.TorchVision;

namespace GradCamSharp.Catalog;

/// <summary>
/// Resolves a model specification given on the command line or in a request into a <see cref="LoadedModel"/>: a name
/// of <see cref="KnownModels"/>, an ONNX file or a PyTorch checkpoint.
/// </summary>
public static class ModelCatalog
{
    /// <summary>The largest input side an ONNX model's declared shape may set (larger needs --preprocess).</summary>
    public const int MaxDeclaredSide = 8192;

    /// <summary>
    /// Loads <paramref name="spec"/>: a registered name (see <see cref="KnownModels"/>), an <c>.onnx</c> file, or a
    /// <c>.pth</c> checkpoint of a TorchVision architecture. With concepts, a head scoring them replaces the model's
    /// own classes.
    /// </summary>
    /// <exception cref="UnreadableInputException">Missing or unreadable file, or unknown name.</exception>
    /// <exception cref="UsageException">Options that do not fit the model.</exception>
    /// <example>
    /// <code>
    /// var options = new ModelLoadOptions { LabelsPath = "labels.txt" };
    /// using LoadedModel model = ModelCatalog.Load("resnet50.onnx", options);
    /// var explainer = new PhotoExplainer(model, new ExplanationSettings { Classes = ["dog"] });
    /// </code>
    /// </example>
    public static LoadedModel Load(string spec, ModelLoadOptions? options = null, IProgress<string>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (string.IsNullOrWhiteSpace(spec)) throw new UsageException("--model is empty");
        options ??= new ModelLoadOptions();
        var runtime = new OnnxRuntimeChoice(options.OnnxRuntime, progress is null ? null : progress.Report);
        if (KnownModels.Find(spec) is ModelDescriptor known)
        {
            if (options.Preprocess is not null && !known.TakesPreprocessing)
            {
                throw new UsageException($"{known.Name} has a fixed preprocessing; --preprocess is for your own " +
                    "models");
            }
            if (options.Concepts.Count == 0) return known.Load(options, runtime);
            LoadedModel features = (known.Features ?? known.Load)(options, runtime);
            return WithConcepts(features.Name, features.Model, features.Preprocessing, options.Concepts, progress);
        }
        IReadOnlyList<string>? labels = options.LabelsPath is null ? null : Labels.Read(options.LabelsPath);
        LoadedModel model = LoadFile(spec, options, labels, runtime);
        if (options.Concepts.Count == 0) return model;
        return WithConcepts(model.Name, model.Model, model.Preprocessing, options.Concepts, progress);
    }

    /// <summary>A preset by name, a JSON descriptor file, or <paramref name="fallback"/> when none is given.</summary>
    /// <exception cref="UsageException">Unknown preset.</exception>
    /// <exception cref="UnreadableInputException">Unreadable descriptor.</exception>
    public static Preprocessing ResolvePreprocessing(string? name, Preprocessing fallback)
    {
        if (name is null) return fallback;
        if (KnownPreprocessing.TryGet(name, out Preprocessing preset)) return preset;
        if (name.EndsWith(".json", StringComparison.OrdinalIgnoreCase)) return PreprocessingDescriptor.Read(name);
        throw new UsageException($"unknown preprocessing '{name}'; known: " +
            $"{string.Join(", ", KnownPreprocessing.Names)}, or a .json descriptor");
    }

    private static LoadedModel LoadFile(string spec, ModelLoadOptions options, IReadOnlyList<string>? labels,
        OnnxRuntimeChoice runtime)
    {
        Preprocessing preprocessing = ResolvePreprocessing(options.Preprocess, KnownPreprocessing.ImageNet);
        if (spec.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase))
            return LoadOnnx(spec, preprocessing, options.Preprocess is not null, labels, options.RandomWeightsSeed,
                options.RandomizedBand, runtime);
        if (spec.EndsWith(".pth", StringComparison.OrdinalIgnoreCase) || spec.EndsWith(".pt",
            StringComparison.OrdinalIgnoreCase))
            return LoadCheckpoint(spec, options, preprocessing, labels);
        if (File.Exists(spec) || Directory.Exists(spec))
            throw new UnreadableInputException($"'{spec}' is not a model format GradCamSharp reads (.onnx, .pth)");
        throw new UnreadableInputException($"model '{PrintableText.Printable(spec)}' not found: give " +
            KnownModels.Accepted);
    }

    private static LoadedModel WithConcepts(string name, IExplainableModel features, Preprocessing preprocessing,
        IReadOnlyList<Concept> concepts, IProgress<string>? progress)
    {
        try
        {
            LinearHead head = Concepts.Head(features, preprocessing, concepts, progress);
            return new LoadedModel
            {
                Name = name + "+concepts",
                Model = head,
                Preprocessing = preprocessing,
                Labels = head.Labels,
                ScoreKind = "logit",
                NotAnswers = head.BackgroundIndex is int background ? [background] : [],
            };
        }
        catch
        {
            features.Dispose();
            throw;
        }
    }

    internal static LoadedModel LoadOnnx(string path, Preprocessing preprocessing, bool preprocessingGiven,
        IReadOnlyList<string>? labels, int? randomWeightsSeed, WeightBand? randomizedBand, OnnxRuntimeChoice runtime)
    {
        if (!File.Exists(path)) throw new UnreadableInputException($"model file '{path}' not found");
        OnnxModule module;
        try
        {
            module = OnnxModule.Load(path);
            if (randomWeightsSeed is int seed)
            {
                using OnnxModule trained = module;
                module = trained.WithRandomWeights(seed, randomizedBand);
            }
        }
        catch (OnnxImportException exception)
        {
            throw new UnreadableInputException($"cannot import '{path}': {exception.Message}", exception);
        }
        var model = new OnnxExplainableModel(module);
        try
        {
            if (module.InputNames.Count != 1)
            {
                throw new UsageException($"'{path}' has {module.InputNames.Count} inputs " +
                    $"({string.Join(", ", module.InputNames)}); " +
                    "the command line explains single-image models (use the library for others)");
            }
            if (!preprocessingGiven && module.DeclaredShape(module.InputNames[0]) is [_, 3, > 0 and var height,
                > 0 and var width])
            {
                if (height > MaxDeclaredSide || width > MaxDeclaredSide)
                {
                    throw new UnreadableInputException($"'{PrintableText.Printable(path)}' declares a " +
                        $"{width}x{height} input, larger than {MaxDeclaredSide} pixels a side; give --preprocess " +
                        "with a size to use it");
                }
                preprocessing = preprocessing with { Height = (int)height, Width = (int)width };
            }
            long[]? outputShape = module.DeclaredShape(module.OutputNames[0]);
            labels ??= outputShape is [_, 1000] ? Labels.ImageNet : null;
            return new LoadedModel
            {
                Name = Path.GetFileNameWithoutExtension(path),
                Model = runtime.Wrap(model),
                Preprocessing = preprocessing,
                Labels = labels,
                Notice = model.SkippedSoftmax is null
                    ? null : $"explaining '{model.ExplainedOutput}', the logits before the final Softmax",
            };
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    private static LoadedModel LoadCheckpoint(string path, ModelLoadOptions options, Preprocessing preprocessing,
        IReadOnlyList<string>? labels)
    {
        if (options.Architecture is string given && !TorchVisionModels.Names.Contains(given,
            StringComparer.OrdinalIgnoreCase))
        {
            throw new UsageException($"unknown --arch '{given}'; known: {string.Join(", ", TorchVisionModels.Names)}");
        }
        if (!File.Exists(path)) throw new UnreadableInputException($"model file '{path}' not found");
        string? architecture = options.Architecture
            ?? TorchVisionModels.Names.OrderByDescending(n => n.Length)
                .FirstOrDefault(n => Path.GetFileName(path).Contains(n, StringComparison.OrdinalIgnoreCase));
        if (architecture is null)
            throw new UsageException($"cannot tell the architecture of '{path}'; pass --arch " +
                $"({string.Join(", ", TorchVisionModels.Names)})");
        if (!TorchVisionModels.Names.Contains(architecture, StringComparer.OrdinalIgnoreCase))
            throw new UsageException($"unknown --arch '{architecture}'; known: " +
                $"{string.Join(", ", TorchVisionModels.Names)}");
        try
        {
            if (options.RandomWeightsSeed is int seed) TorchSharp.torch.manual_seed(seed);
            var module = TorchVisionModels.Create(architecture, options.RandomWeightsSeed is null ? path : null);
            return new LoadedModel
            {
                Name = Path.GetFileNameWithoutExtension(path),
                Model = new TorchModuleModel(module, architecture),
                Preprocessing = preprocessing,
                Labels = labels ?? Labels.ImageNet,
            };
        }
        catch (Exception exception) when (exception is not (UsageException or OutOfMemoryException))
        {
            throw new UnreadableInputException($"cannot load '{path}' as {architecture}: " +
                $"{exception.Message.Split('\n')[0]}", exception);
        }
    }
}
