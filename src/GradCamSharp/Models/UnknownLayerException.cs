namespace GradCamSharp.Models;

/// <summary>A target layer name that the model does not have; the message lists the closest valid names.</summary>
public sealed class UnknownLayerException : ArgumentException
{
    /// <summary>Creates the exception for <paramref name="requested"/> among <paramref name="validNames"/>.</summary>
    public UnknownLayerException(string requested, IReadOnlyList<string> validNames)
        : base(BuildMessage(requested, validNames))
    {
        Requested = requested;
        Suggestions = Closest(requested, validNames, 5);
    }

    /// <summary>The name that was asked for.</summary>
    public string Requested { get; }

    /// <summary>Up to five valid names closest to <see cref="Requested"/>.</summary>
    public IReadOnlyList<string> Suggestions { get; }

    private static string BuildMessage(string requested, IReadOnlyList<string> validNames)
    {
        IReadOnlyList<string> closest = Closest(requested, validNames, 5);
        return closest.Count == 0
            ? $"unknown layer '{requested}': the model has no named layers"
            : $"unknown layer '{requested}'; closest valid names: {string.Join(", ", closest)}";
    }

    internal static IReadOnlyList<string> Closest(string requested, IReadOnlyList<string> names, int count) =>
        names.OrderBy(name => EditDistance(requested, name)).ThenBy(name => name.Length).Take(count).ToList();

    private static int EditDistance(string a, string b)
    {
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
