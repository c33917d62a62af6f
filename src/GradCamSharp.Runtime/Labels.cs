namespace GradCamSharp.Runtime;

/// <summary>Class-name lists: one label a line, in output order.</summary>
public static class Labels
{
    /// <summary>The ImageNet-1k class names shipped with GradCamSharp (short form: the first synonym of each line).</summary>
    public static IReadOnlyList<string> ImageNet => s_imageNet.Value;

    private static readonly Lazy<IReadOnlyList<string>> s_imageNet = new(() =>
        Read(Path.Combine(AppContext.BaseDirectory, "labels", "imagenet1000.txt")).Select(line => line.Split(',')[0].Trim()).ToArray());

    /// <summary>Reads a label file, skipping nothing: line i is class i.</summary>
    /// <exception cref="ModelLoadException">The file is missing or empty.</exception>
    public static IReadOnlyList<string> Read(string path)
    {
        if (!File.Exists(path)) throw new ModelLoadException($"label file '{path}' not found");
        string[] lines = File.ReadAllLines(path);
        while (lines.Length > 0 && string.IsNullOrWhiteSpace(lines[^1])) lines = lines[..^1];
        if (lines.Length == 0) throw new ModelLoadException($"label file '{path}' is empty");
        return lines.Select(line => line.Trim()).ToArray();
    }

    /// <summary>
    /// Resolves a class given as a label (exact, case-insensitive), an index ("238"), or else the one label that starts
    /// with it, or else the one label that contains it as a word.
    /// </summary>
    /// <exception cref="ArgumentException">Unknown, ambiguous, or out of range.</exception>
    public static int Resolve(string spec, IReadOnlyList<string>? labels, int? classCount)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(spec);
        int count = classCount ?? labels?.Count ?? int.MaxValue;
        string wanted = spec.Trim();
        // A label that is itself a number ("0", "180") names its class, not an index.
        int[] exact = labels is null ? [] : Matches(labels, label => string.Equals(label, wanted, StringComparison.OrdinalIgnoreCase));
        if (exact.Length >= 1) return exact[0];
        if (int.TryParse(wanted, out int index))
        {
            if (index < 0 || index >= count)
                throw new ArgumentException($"class {index} is out of range: the model has {count} classes (0..{count - 1})");
            return index;
        }
        if (labels is null) throw new ArgumentException($"class '{spec}' is not a number and the model has no labels (pass --labels FILE)");
        foreach (Func<string, bool> rule in new Func<string, bool>[]
        {
            label => label.StartsWith(wanted, StringComparison.OrdinalIgnoreCase),
            label => label.Split([' ', ',', '-', '_'], StringSplitOptions.RemoveEmptyEntries).Any(word => string.Equals(word, wanted, StringComparison.OrdinalIgnoreCase)),
        })
        {
            int[] found = Matches(labels, rule);
            if (found.Length == 1) return found[0];
            if (found.Length > 1)
                throw new ArgumentException($"class '{spec}' is ambiguous: {string.Join(", ", found.Take(6).Select(i => $"{i} ({labels[i]})"))}{(found.Length > 6 ? ", ..." : "")}");
        }
        throw new ArgumentException($"unknown class '{spec}'; use an index 0..{labels.Count - 1} or a label such as '{labels[0]}'");
    }

    private static int[] Matches(IReadOnlyList<string> labels, Func<string, bool> rule) =>
        Enumerable.Range(0, labels.Count).Where(i => rule(labels[i])).ToArray();
}
