namespace GradCamSharp.TestSupport;

/// <summary>Comparisons of float series with a tolerance relative to the expected values' largest magnitude.</summary>
public static class Tolerance
{
    /// <summary>max |expected - actual| / max |expected|.</summary>
    public static double RelativeError(IReadOnlyList<float> expected, IReadOnlyList<float> actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        double scale = Math.Max(1e-12, expected.Max(v => Math.Abs(v)));
        double worst = 0;
        for (int i = 0; i < expected.Count; i++) worst = Math.Max(worst, Math.Abs(expected[i] - actual[i]));
        return worst / scale;
    }

    /// <summary>
    /// Every element within <paramref name="tolerance"/> x max |expected|, naming the first that is not.
    /// </summary>
    public static void AssertClose(IReadOnlyList<float> expected, IReadOnlyList<float> actual, double tolerance,
        string what = "")
    {
        Assert.Equal(expected.Count, actual.Count);
        double scale = Math.Max(1e-12, expected.Max(v => Math.Abs(v)));
        for (int i = 0; i < expected.Count; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance * scale,
                $"{what} element {i}: expected {expected[i]}, got {actual[i]} (tolerance {tolerance} x {scale})");
        }
    }

    /// <summary>Pearson's correlation of two series of the same length.</summary>
    public static double Correlation(IReadOnlyList<float> a, IReadOnlyList<float> b)
    {
        Assert.Equal(a.Count, b.Count);
        double meanA = a.Average(), meanB = b.Average();
        double covariance = a.Zip(b).Sum(p => (p.First - meanA) * (p.Second - meanB));
        return covariance / Math.Sqrt(a.Sum(v => (v - meanA) * (v - meanA)) * b.Sum(v => (v - meanB) * (v - meanB)));
    }
}
