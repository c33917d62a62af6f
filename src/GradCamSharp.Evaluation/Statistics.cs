namespace GradCamSharp.Evaluation;

/// <summary>Summaries of measured values.</summary>
public static class Statistics
{
    /// <summary>The median (the mean of the middle two for an even count); 0 for no values.</summary>
    public static double Median(IEnumerable<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        double[] sorted = [.. values.Order()];
        if (sorted.Length == 0) return 0;
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2]
            : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
