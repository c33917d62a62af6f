namespace GradCamSharp.Evaluation;

/// <summary>The probability changes of <see cref="Road"/>, one per share removed, and their summaries.</summary>
/// <param name="Shares">The shares of pixels removed.</param>
/// <param name="MostRelevantFirst">Probability after minus before, the most relevant pixels removed.</param>
/// <param name="LeastRelevantFirst">Probability after minus before, the least relevant pixels removed.</param>
/// <param name="Original">The class probability of the untouched image.</param>
public sealed record RoadCurves(double[] Shares, double[] MostRelevantFirst, double[] LeastRelevantFirst,
    double Original)
{
    /// <summary>The mean MoRF change: lower (a steeper fall) is better.</summary>
    public double MostRelevantFirstMean => MostRelevantFirst.Average();

    /// <summary>The mean LeRF change: higher (nearer zero) is better.</summary>
    public double LeastRelevantFirstMean => LeastRelevantFirst.Average();

    /// <summary>pytorch-grad-cam's ROADCombined, (LeRF - MoRF) / 2: higher is better, 0 for a map without order.
    /// </summary>
    public double Combined => (LeastRelevantFirstMean - MostRelevantFirstMean) / 2;
}
