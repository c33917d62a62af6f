namespace GradCamSharp.VisionLanguage;

/// <summary>
/// The shipped captioners and VQA models, by name; or any trained model by the path of its JSON file.
/// </summary>
public static class VisionLanguageCatalog
{
    /// <summary>The shape world's captioner.</summary>
    public const string ShapesCaptioner = "shapes-captioner";

    /// <summary>The shape world's VQA model.</summary>
    public const string ShapesVqa = "shapes-vqa";

    /// <summary>The photo world's captioner (over the frozen ResNet18).</summary>
    public const string PhotosCaptioner = "photos-captioner";

    /// <summary>The photo world's VQA model (over the frozen ResNet18).</summary>
    public const string PhotosVqa = "photos-vqa";

    /// <summary>Every shipped name.</summary>
    public static IReadOnlyList<string> Names { get; } = [ShapesCaptioner, ShapesVqa, PhotosCaptioner, PhotosVqa];

    /// <summary>Where the shipped models lie.</summary>
    public static string Folder => Path.Combine(AppContext.BaseDirectory, "models", "vl");

    /// <summary>The shipped model of <paramref name="task"/> for <paramref name="world"/>.</summary>
    public static string NameFor(string world, string task) => $"{world}-{task}";

    /// <summary>Loads a shipped captioner by name, or a trained one by the path of its JSON file.</summary>
    /// <exception cref="UsageException">Unknown name, or a VQA model.</exception>
    /// <exception cref="UnreadableInputException">The files cannot be read.</exception>
    public static Captioner LoadCaptioner(string spec) =>
        Load<Captioner>(spec, VisionLanguageTasks.Captioner, Captioners);

    /// <summary>Loads a shipped VQA model by name, or a trained one by the path of its JSON file.</summary>
    /// <exception cref="UsageException">Unknown name, or a captioner.</exception>
    /// <exception cref="UnreadableInputException">The files cannot be read.</exception>
    public static VqaModel LoadVqa(string spec) => Load<VqaModel>(spec, VisionLanguageTasks.Vqa, VqaModels);

    /// <summary>The shipped captioners.</summary>
    public static IReadOnlyList<string> Captioners { get; } =
        [.. Names.Where(n => n.EndsWith(VisionLanguageTasks.Captioner, StringComparison.Ordinal))];

    /// <summary>The shipped VQA models.</summary>
    public static IReadOnlyList<string> VqaModels { get; } =
        [.. Names.Where(n => n.EndsWith(VisionLanguageTasks.Vqa, StringComparison.Ordinal))];

    private static T Load<T>(string spec, string task, IReadOnlyList<string> shipped) where T : VisionLanguageModel
    {
        VisionLanguageModel model = Load(spec);
        if (model is T typed) return typed;
        string given = model.Kind;
        model.Dispose();
        throw new UsageException($"{spec} is a {given}; this needs a {task} model, e.g. " +
            string.Join(" or ", shipped));
    }

    /// <summary>Loads a shipped model by name, or a trained one by the path of its JSON file.</summary>
    /// <param name="spec">A name of <see cref="Names"/> or a path ending in .json.</param>
    /// <exception cref="UsageException">Unknown name.</exception>
    /// <exception cref="UnreadableInputException">The files cannot be read.</exception>
    public static VisionLanguageModel Load(string spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (string.IsNullOrWhiteSpace(spec)) throw new UsageException("--model is empty");
        string path;
        if (spec.EndsWith(".json", StringComparison.OrdinalIgnoreCase)) path = spec;
        else if (Names.Contains(spec, StringComparer.Ordinal)) path = Path.Combine(Folder, spec + ".json");
        else
        {
            throw new UsageException($"unknown captioning or VQA model '{spec}'; shipped: {string.Join(", ", Names)}" +
                ", or the .json file that 'gradcam train' wrote");
        }
        if (!File.Exists(path)) throw new UnreadableInputException($"the model file {path} does not exist");
        return VisionLanguageModel.Load(path);
    }
}
