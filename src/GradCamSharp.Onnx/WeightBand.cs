namespace GradCamSharp.Onnx;

/// <summary>
/// A band of a network's weight tensors counted from the output down, as shares of their number: what the
/// parameter-randomization sanity checks of Adebayo et al. (2018) randomise. Cascading randomization grows
/// [0, k/K]; independent randomization takes one band [(k-1)/K, k/K] at a time.
/// </summary>
/// <param name="FromTop">Where the band starts: 0 is the output.</param>
/// <param name="ToTop">Where it ends: 1 is the input.</param>
public sealed record WeightBand(double FromTop, double ToTop)
{
    /// <summary>Every weight tensor.</summary>
    public static WeightBand All { get; } = new(0, 1);

    /// <summary>Throws unless 0 &lt;= <see cref="FromTop"/> &lt; <see cref="ToTop"/> &lt;= 1.</summary>
    public WeightBand Validated() => FromTop >= 0 && FromTop < ToTop && ToTop <= 1 ? this
        : throw new ArgumentOutOfRangeException(nameof(FromTop), $"a band needs 0 <= from < to <= 1, got " +
            $"{FromTop}..{ToTop}");

    /// <summary>The indices, counted from the top, of the tensors in the band when there are <paramref name="count"/>.
    /// </summary>
    public (int Start, int End) Of(int count) =>
        ((int)Math.Round(FromTop * count),
            Math.Max((int)Math.Round(FromTop * count) + 1, (int)Math.Round(ToTop * count)));
}
