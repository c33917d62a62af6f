namespace GradCamSharp.VisionLanguage.Evaluation;

/// <summary>
/// Corpus BLEU (Papineni et al., 2002) with one reference per candidate: the geometric mean of clipped 1- to 4-gram
/// precisions over the whole corpus, times the brevity penalty. 1 for a corpus of exact matches.
/// </summary>
internal static class Bleu
{
    /// <summary>
    /// BLEU-<paramref name="order"/> of <paramref name="pairs"/> (candidate, reference), as word lists.
    /// </summary>
    public static double Corpus(IEnumerable<(IReadOnlyList<string> Candidate, IReadOnlyList<string> Reference)> pairs,
        int order = 4)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        ArgumentOutOfRangeException.ThrowIfLessThan(order, 1);
        var matched = new long[order];
        var proposed = new long[order];
        long candidateLength = 0, referenceLength = 0;
        foreach ((IReadOnlyList<string> candidate, IReadOnlyList<string> reference) in pairs)
        {
            candidateLength += candidate.Count;
            referenceLength += reference.Count;
            for (int n = 1; n <= order; n++)
            {
                Dictionary<string, int> available = Grams(reference, n);
                foreach ((string gram, int count) in Grams(candidate, n))
                    matched[n - 1] += Math.Min(count, available.GetValueOrDefault(gram));
                proposed[n - 1] += Math.Max(0, candidate.Count - n + 1);
            }
        }
        if (candidateLength == 0 || matched.Any(m => m == 0)) return 0;
        double logPrecision = Enumerable.Range(0, order).Average(n => Math.Log(matched[n] / (double)proposed[n]));
        double brevity = candidateLength >= referenceLength ? 1
            : Math.Exp(1 - referenceLength / (double)candidateLength);
        return brevity * Math.Exp(logPrecision);
    }

    private static Dictionary<string, int> Grams(IReadOnlyList<string> words, int n)
    {
        var grams = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i + n <= words.Count; i++)
        {
            string gram = string.Join('\u001f', words.Skip(i).Take(n));
            grams[gram] = grams.GetValueOrDefault(gram) + 1;
        }
        return grams;
    }
}
