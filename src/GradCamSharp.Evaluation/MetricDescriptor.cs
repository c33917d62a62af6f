namespace GradCamSharp.Evaluation;

/// <summary>
/// One metric of <see cref="KnownMetrics"/>: its name in <c>evaluation.json</c>, what it measures, and which way is
/// better.
/// </summary>
/// <param name="Name">The name in <c>evaluation.json</c> and the report, e.g. "pointing".</param>
/// <param name="Description">What it measures and where it comes from, in one line.</param>
/// <param name="HigherIsBetter">Whether a higher value is better.</param>
public sealed record MetricDescriptor(string Name, string Description, bool HigherIsBetter)
{
    /// <summary>The decimals a table shows: enough to tell methods apart at the metric's usual spread.</summary>
    public int Decimals { get; init; } = 2;
}
