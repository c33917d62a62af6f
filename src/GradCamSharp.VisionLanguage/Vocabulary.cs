using System.Text.RegularExpressions;

namespace GradCamSharp.VisionLanguage;

/// <summary>
/// The words a captioner or VQA model knows, with three reserved ids: padding, start and end of a sentence. Text is
/// read lower case, a word being a run of letters, marks and digits of any script, with "," a word of its own; other
/// punctuation and a final "?" are ignored.
/// </summary>
public sealed partial class Vocabulary
{
    /// <summary>Pads questions of different lengths (id 0).</summary>
    public const string Padding = "<pad>";

    /// <summary>Starts every caption (id 1).</summary>
    public const string Start = "<start>";

    /// <summary>Ends every caption (id 2).</summary>
    public const string End = "<end>";

    private readonly Dictionary<string, int> _ids;

    /// <summary>A vocabulary of the reserved words followed by <paramref name="words"/>, in their order.</summary>
    public Vocabulary(IEnumerable<string> words)
    {
        ArgumentNullException.ThrowIfNull(words);
        Words = [Padding, Start, End, .. words.Where(w => w is not (Padding or Start or End)).Distinct()];
        _ids = Words.Select((word, id) => (word, id)).ToDictionary(p => p.word, p => p.id, StringComparer.Ordinal);
    }

    /// <summary>Every word, by id.</summary>
    public IReadOnlyList<string> Words { get; }

    /// <summary>How many words there are, the reserved ones included.</summary>
    public int Count => Words.Count;

    /// <summary>The id of <see cref="Padding"/>.</summary>
    public static int PaddingId => 0;

    /// <summary>The id of <see cref="Start"/>.</summary>
    public static int StartId => 1;

    /// <summary>The id of <see cref="End"/>.</summary>
    public static int EndId => 2;

    /// <summary>The words the user may type: all but the reserved ones.</summary>
    public IEnumerable<string> UserWords => Words.Skip(3);

    /// <summary>Builds a vocabulary from every word of <paramref name="texts"/>, sorted.</summary>
    public static Vocabulary FromTexts(IEnumerable<string> texts) =>
        new(texts.SelectMany(Split).Distinct().Order(StringComparer.Ordinal));

    /// <summary>Splits <paramref name="text"/> into the words this vocabulary would look up.</summary>
    public static IReadOnlyList<string> Split(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        string normal = text.Trim().ToLowerInvariant().TrimEnd('?', '.', ' ');
        return WordPattern().Matches(normal).Select(m => m.Value).ToArray();
    }

    /// <summary>
    /// The ids of the words of <paramref name="text"/>, refusing empty text, unknown words (listing the known ones)
    /// and text longer than <paramref name="maxWords"/>.
    /// </summary>
    /// <param name="text">A caption or a question.</param>
    /// <param name="maxWords">The most words the model reads.</param>
    /// <param name="what">"caption" or "question", for messages.</param>
    /// <exception cref="UsageException">The text cannot be read by the model.</exception>
    public int[] Encode(string text, int maxWords, string what)
    {
        IReadOnlyList<string> words = Split(text ?? "");
        if (words.Count == 0) throw new UsageException($"the {what} is empty");
        if (words.Count > maxWords)
        {
            throw new UsageException(
                $"the {what} has {words.Count} words; this model reads at most {maxWords}");
        }
        string[] unknown = words.Where(w => !_ids.ContainsKey(w) || _ids[w] <= EndId).Distinct().ToArray();
        if (unknown.Length > 0)
        {
            string quoted = string.Join(", ", unknown.Select(w => $"'{PrintableText.Printable(w)}'"));
            throw new UsageException($"unknown word{(unknown.Length > 1 ? "s" : "")} {quoted} in the {what}; the " +
                "model knows: " +
                string.Join(" ", UserWords));
        }
        return words.Select(w => _ids[w]).ToArray();
    }

    /// <summary>The id of <paramref name="word"/>, or null.</summary>
    public int? IdOf(string word) => _ids.TryGetValue(word, out int id) ? id : null;

    /// <summary>The text of <paramref name="ids"/>, stopping at the end word.</summary>
    public string Decode(IEnumerable<int> ids) =>
        string.Join(' ', ids.TakeWhile(id => id != EndId).Where(id => id > EndId).Select(id => Words[id]));

    // Letters of every script: a word the model does not know is reported as unknown, never silently dropped.
    [GeneratedRegex(@"[\p{L}\p{M}\p{N}]+|,")]
    private static partial Regex WordPattern();
}
