namespace GradCamSharp.VisionLanguage;

/// <summary>The two image-to-text tasks, by the names the command line uses.</summary>
public static class VisionLanguageTasks
{
    /// <summary>Describing an image in words.</summary>
    public const string Captioner = "captioner";

    /// <summary>Answering a question about an image.</summary>
    public const string Vqa = "vqa";

    /// <summary>Every task name.</summary>
    public static IReadOnlyList<string> Names { get; } = [Captioner, Vqa];

    /// <summary>Returns <paramref name="name"/> if it is a task, else throws a usage error listing the tasks.</summary>
    public static string Check(string name) => Names.Contains(name, StringComparer.Ordinal) ? name
        : throw new UsageException($"unknown task '{name}'; known: {string.Join(", ", Names)}");
}
