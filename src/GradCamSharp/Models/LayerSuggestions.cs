namespace GradCamSharp.Models;

/// <summary>Ranks layer names by their likeness to a name that was asked for.</summary>
public static class LayerSuggestions
{
    /// <summary>
    /// The <paramref name="count"/> names of <paramref name="names"/> closest to <paramref name="requested"/>.
    /// </summary>
    public static IReadOnlyList<string> Closest(string requested, IEnumerable<string> names, int count) =>
        names.Distinct().OrderBy(name => EditDistance(requested,
            name)).ThenBy(name => name.Length).Take(count).ToList();

    /// <summary>Levenshtein distance: insertions, deletions and substitutions of one character each.</summary>
    public static int EditDistance(string a, string b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (int j = 0; j <= b.Length; j++) previous[j] = j;
        for (int i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (int j = 1; j <= b.Length; j++)
            {
                int substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
                current[j] = Math.Min(substitution, Math.Min(previous[j] + 1, current[j - 1] + 1));
            }
            (previous, current) = (current, previous);
        }
        return previous[b.Length];
    }
}
