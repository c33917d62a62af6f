namespace GradCamSharp.Evaluation;

/// <summary>
/// Spearman's rank correlation, with tied values given their average rank, and Pearson's correlation of the values.
/// </summary>
public static class RankCorrelation
{
    /// <summary>The Spearman correlation of two equally long series, in [-1, 1]; 0 when either is constant.</summary>
    public static double Spearman(IReadOnlyList<float> a, IReadOnlyList<float> b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (a.Count != b.Count) throw new ArgumentException($"series of {a.Count} and {b.Count} values");
        if (a.Count < 2) throw new ArgumentException("at least two values are needed");
        return Pearson(Ranks(a), Ranks(b));
    }

    /// <summary>The Pearson correlation of two equally long series, in [-1, 1]; 0 when either is constant.</summary>
    public static double Pearson(IReadOnlyList<float> a, IReadOnlyList<float> b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (a.Count != b.Count) throw new ArgumentException($"series of {a.Count} and {b.Count} values");
        if (a.Count < 2) throw new ArgumentException("at least two values are needed");
        return Pearson([.. a.Select(v => (double)v)], [.. b.Select(v => (double)v)]);
    }

    private static double[] Ranks(IReadOnlyList<float> values)
    {
        int[] order = Enumerable.Range(0, values.Count).OrderBy(i => values[i]).ToArray();
        var ranks = new double[values.Count];
        for (int start = 0; start < order.Length;)
        {
            int end = start;
            while (end + 1 < order.Length && values[order[end + 1]] == values[order[start]]) end++;
            double average = (start + end) / 2.0;
            for (int k = start; k <= end; k++) ranks[order[k]] = average;
            start = end + 1;
        }
        return ranks;
    }

    private static double Pearson(double[] x, double[] y)
    {
        double meanX = x.Average(), meanY = y.Average();
        double covariance = 0, varianceX = 0, varianceY = 0;
        for (int i = 0; i < x.Length; i++)
        {
            covariance += (x[i] - meanX) * (y[i] - meanY);
            varianceX += (x[i] - meanX) * (x[i] - meanX);
            varianceY += (y[i] - meanY) * (y[i] - meanY);
        }
        return varianceX == 0 || varianceY == 0 ? 0 : covariance / Math.Sqrt(varianceX * varianceY);
    }
}
