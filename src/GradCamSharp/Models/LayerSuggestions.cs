namespace GradCamSharp.Models;

/// <summary>Ranks layer names by their likeness to a name that was asked for.</summary>
public static class LayerSuggestions
{
    /// <summary>
    /// The <paramref name="count"/> names of <paramref name="names"/> closest to <paramref name="requested"/> (fewest
    /// edits first, then the shortest).
    /// </summary>
    public static IReadOnlyList<string> Closest(string requested, IEnumerable<string> names, int count) =>
        names.Distinct().OrderBy(name => EditDistance.Between(requested,
            name)).ThenBy(name => name.Length).Take(count).ToList();
}
