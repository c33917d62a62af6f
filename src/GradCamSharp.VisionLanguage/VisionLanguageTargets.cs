using GradCamSharp.Targets;

namespace GradCamSharp.VisionLanguage;

/// <summary>
/// The differentiable scores of image-to-text models, as ordinary targets: a caption's log-likelihood, one word's
/// log-probability given its prefix, and a VQA answer's logit (any answer, given or not).
/// </summary>
public static class VisionLanguageTargets
{
    /// <summary>Words that name nothing and get no map of their own.</summary>
    public static IReadOnlySet<string> FunctionWords { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        "a", "an", "the", "and", ",", "of", "is", "there",
    };

    /// <summary>
    /// The whole caption: the sum of the log-probabilities of its words and of the end, each given its prefix
    /// (for a model built by <see cref="Captioner.ForCaption"/> over the same words).
    /// </summary>
    public static SequenceTarget Caption(IReadOnlyList<int> words)
    {
        ArgumentNullException.ThrowIfNull(words);
        return new SequenceTarget([.. words, Vocabulary.EndId], null, "caption");
    }

    /// <summary>
    /// A phrase as part of a longer description: the sum of its words' log-probabilities, each given its prefix,
    /// without the end (a dense captioner's phrase for one box says nothing about whether the description ends).
    /// </summary>
    /// <param name="words">The phrase's word ids.</param>
    /// <param name="name">The target's name (its file names follow it).</param>
    public static SequenceTarget Phrase(IReadOnlyList<int> words, string name = "phrase")
    {
        ArgumentNullException.ThrowIfNull(words);
        return new SequenceTarget([.. words, Vocabulary.EndId], [.. Enumerable.Range(0, words.Count)], name);
    }

    /// <summary>
    /// Word <paramref name="position"/> of the caption: its log-probability given the words before it.
    /// </summary>
    public static SequenceTarget Word(IReadOnlyList<int> words, int position, string word)
    {
        ArgumentNullException.ThrowIfNull(words);
        return new SequenceTarget([.. words, Vocabulary.EndId], [position], $"word {position + 1} '{word}'");
    }

    /// <summary>The caption target and one target per content word (function words left out), described.</summary>
    public static IReadOnlyList<(ITarget Target, string Description, int? Position)> CaptionAndWords(
        Vocabulary vocabulary, IReadOnlyList<int> words)
    {
        ArgumentNullException.ThrowIfNull(vocabulary);
        ArgumentNullException.ThrowIfNull(words);
        var targets = new List<(ITarget, string, int?)> { (Caption(words), "the whole caption", null) };
        for (int t = 0; t < words.Count; t++)
        {
            string word = vocabulary.Words[words[t]];
            if (!FunctionWords.Contains(word)) targets.Add((Word(words, t, word), $"'{word}' (word {t + 1})", t));
        }
        return targets;
    }

    /// <summary>The logit of answer <paramref name="answer"/> (before the softmax, as the paper explains).</summary>
    public static ClassTarget Answer(int answer) => new(answer);
}
