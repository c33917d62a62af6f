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

    /// <summary>Loads a shipped model by name, or a trained one by the path of its JSON file.</summary>
    /// <param name="spec">A name of <see cref="Names"/> or a path ending in .json.</param>
    /// <param name="task">When given, the task the model must do.</param>
    /// <exception cref="UsageException">Unknown name, or a model of the other task.</exception>
    /// <exception cref="UnreadableInputException">The files cannot be read.</exception>
    public static VisionLanguageModel Load(string spec, string? task = null)
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
        VisionLanguageModel model = VisionLanguageModel.Load(path);
        if (task is not null && model.Task != task)
        {
            string given = model.Task;
            model.Dispose();
            throw new UsageException($"{spec} is a {given} model; this command needs a {task} model, e.g. " +
                string.Join(" or ", Names.Where(n => n.EndsWith(task, StringComparison.Ordinal))));
        }
        return model;
    }
}
