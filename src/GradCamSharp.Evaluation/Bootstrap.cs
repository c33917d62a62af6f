namespace GradCamSharp.Evaluation;

/// <summary>
/// Percentile bootstrap (Efron and Tibshirani 1993, ch. 13): the means of <see cref="Resamples"/> samples drawn with
/// replacement give the interval. Seeded, so that a report regenerates exactly.
/// </summary>
public static class Bootstrap
{
    /// <summary>How many resampled means.</summary>
    public const int Resamples = 2000;

    /// <summary>The mean of <paramref name="values"/> with its 95% percentile-bootstrap interval.</summary>
    public static MeanInterval Mean(IReadOnlyList<double> values, int seed = 1, int resamples = Resamples)
    {
        ArgumentNullException.ThrowIfNull(values);
        ArgumentOutOfRangeException.ThrowIfLessThan(resamples, 1);
        if (values.Count == 0) return new MeanInterval(double.NaN, double.NaN, double.NaN, 0);
        double mean = values.Average();
        var random = new Random(seed);
        var means = new double[resamples];
        for (int r = 0; r < resamples; r++)
        {
            double sum = 0;
            for (int i = 0; i < values.Count; i++) sum += values[random.Next(values.Count)];
            means[r] = sum / values.Count;
        }
        Array.Sort(means);
        return new MeanInterval(mean, Percentile(means, 0.025), Percentile(means, 0.975), values.Count);
    }

    /// <summary>The <paramref name="q"/> quantile of sorted values, linearly interpolated.</summary>
    public static double Percentile(IReadOnlyList<double> sorted, double q)
    {
        ArgumentNullException.ThrowIfNull(sorted);
        double position = q * (sorted.Count - 1);
        int below = (int)Math.Floor(position), above = (int)Math.Ceiling(position);
        return sorted[below] + (sorted[above] - sorted[below]) * (position - below);
    }
}
