namespace GradCamSharp.Catalog;

/// <summary>Class-name lists: one label a line, in output order.</summary>
public static class Labels
{
    private static readonly Lazy<IReadOnlyList<string>> ImageNetLabels = new(() =>
        Read(Path.Combine(AppContext.BaseDirectory, "labels", "imagenet1000.txt"))
            .Select(line => line.Split(',')[0].Trim()).ToArray());

    private static readonly char[] WordSeparators = [' ', ',', '-', '_', '\''];

    /// <summary>
    /// The ImageNet-1k class names shipped with GradCamSharp (short form: the first synonym of each line).
    /// </summary>
    public static IReadOnlyList<string> ImageNet => ImageNetLabels.Value;

    /// <summary>Reads a label file, skipping nothing: line i is class i.</summary>
    /// <exception cref="UnreadableInputException">The file is missing or empty.</exception>
    public static IReadOnlyList<string> Read(string path)
    {
        if (!File.Exists(path)) throw new UnreadableInputException($"label file '{path}' not found");
        string[] lines = File.ReadAllLines(path);
        while (lines.Length > 0 && string.IsNullOrWhiteSpace(lines[^1])) lines = lines[..^1];
        if (lines.Length == 0) throw new UnreadableInputException($"label file '{path}' is empty");
        return lines.Select(line => line.Trim()).ToArray();
    }

    /// <summary>
    /// Resolves a class given as a label (exact, case-insensitive), an index ("238"), or else the one label that has
    /// it as a whole word ("retriever" for "golden retriever"). A name that several labels share as a word is refused
    /// with the candidates; a prefix is never enough ("dog" is not "dogsled").
    /// </summary>
    /// <exception cref="UsageException">Unknown, ambiguous, or out of range.</exception>
    public static int Resolve(string spec, IReadOnlyList<string>? labels, int? classCount)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (string.IsNullOrWhiteSpace(spec)) throw new UsageException("a class is empty: give an index or a label");
        int count = classCount ?? labels?.Count ?? int.MaxValue;
        string wanted = spec.Trim();
        // A label that is itself a number ("0", "180") names its class, not an index.
        int[] exact = labels is null ? [] : Matches(labels,
            label => string.Equals(label, wanted, StringComparison.OrdinalIgnoreCase));
        if (exact.Length >= 1) return exact[0];
        if (wanted.All(char.IsAsciiDigit) && int.TryParse(wanted, out int index))
        {
            if (index >= count)
                throw new UsageException($"class {index} is out of range: the model has {count} classes " +
                    $"(0..{count - 1})");
            return index;
        }
        if (labels is null)
        {
            throw new UsageException(
                $"class '{spec}' is not a number and the model has no labels (pass --labels FILE)");
        }
        int[] words = Matches(labels, label => label.Split(WordSeparators, StringSplitOptions.RemoveEmptyEntries)
            .Any(word => string.Equals(word, wanted, StringComparison.OrdinalIgnoreCase)));
        if (words.Length == 1) return words[0];
        if (words.Length > 1)
        {
            string candidates = string.Join(", ", words.Take(8).Select(i => $"{i} ({labels[i]})"));
            throw new UsageException($"class '{spec}' is ambiguous: {candidates}{(words.Length > 8 ? ", ..." : "")}; " +
                "give the full label or its index");
        }
        throw new UsageException($"unknown class '{spec}'; use an index 0..{labels.Count - 1} or a label such as " +
            $"'{labels[0]}'");
    }

    private static int[] Matches(IReadOnlyList<string> labels, Func<string, bool> rule) =>
        Enumerable.Range(0, labels.Count).Where(i => rule(labels[i])).ToArray();
}
