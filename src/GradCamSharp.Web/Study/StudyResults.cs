using System.Globalization;
using System.Text;
using System.Text.Json.Serialization;

namespace GradCamSharp.Web.Study;

/// <summary>
/// A study's results as the paper's tables give them (sec. 5.1, 5.2): per method, class-discrimination accuracy with
/// its 95% confidence interval, and the mean trust rating of one model over the other.
/// </summary>
public sealed record StudyResults(
    [property: JsonPropertyName("study")] string? Study,
    [property: JsonPropertyName("participants")] int Participants,
    [property: JsonPropertyName("discrimination")] IReadOnlyList<DiscriminationResult> Discrimination,
    [property: JsonPropertyName("trust")] IReadOnlyList<TrustResult> Trust)
{
    /// <summary>The paper's class-discrimination accuracies (VGG-16, Amazon Mechanical Turk), for comparison.</summary>
    public const string PaperDiscrimination = "paper (VGG-16, 43 workers): Guided Grad-CAM 61.23%, Guided Backprop " +
        "44.44%";

    private const double Z95 = 1.959963984540054;

    /// <summary>Summarises <paramref name="answers"/>, methods in the order they first appear.</summary>
    public static StudyResults Of(IReadOnlyList<AnsweredTrial> answers, string? study = null)
    {
        ArgumentNullException.ThrowIfNull(answers);
        var discrimination = answers.Where(a => a.Kind == StudyKinds.Discrimination).GroupBy(a => a.Method)
            .Select(g =>
            {
                int n = g.Count(), correct = g.Count(a => a.Correct == true);
                (double low, double high) = Wilson(correct, n);
                return new DiscriminationResult(g.Key, n, correct, g.Count(a => a.Choice == StudyDatabase.CannotTell),
                    (double)correct / n, low, high);
            }).ToList();
        var trust = answers.Where(a => a.Kind == StudyKinds.Trust && a.Rating is not null)
            .GroupBy(a => (a.Method, a.ModelA, a.ModelB)).Select(g =>
            {
                double[] ratings = g.Select(a => (double)a.Rating!.Value).ToArray();
                (double mean, double low, double high) = MeanInterval(ratings);
                return new TrustResult(g.Key.Method, g.Key.ModelA ?? "", g.Key.ModelB ?? "", ratings.Length, mean,
                    double.IsNaN(low) ? null : low, double.IsNaN(high) ? null : high);
            }).ToList();
        return new StudyResults(study, answers.Select(a => a.Participant).Distinct().Count(), discrimination, trust);
    }

    /// <summary>
    /// The 95% Wilson score interval of <paramref name="successes"/> in <paramref name="trials"/>: unlike the normal
    /// approximation it stays within [0, 1] and is sensible for the small samples a study collects.
    /// </summary>
    public static (double Low, double High) Wilson(int successes, int trials)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(successes);
        ArgumentOutOfRangeException.ThrowIfLessThan(trials, successes);
        if (trials == 0) return (0, 1);
        double p = (double)successes / trials, z2 = Z95 * Z95;
        double centre = (p + z2 / (2 * trials)) / (1 + z2 / trials);
        double half = Z95 * Math.Sqrt(p * (1 - p) / trials + z2 / (4.0 * trials * trials)) / (1 + z2 / trials);
        return (Math.Max(0, centre - half), Math.Min(1, centre + half));
    }

    /// <summary>The mean and its 95% interval (normal approximation, sample standard deviation).</summary>
    public static (double Mean, double Low, double High) MeanInterval(IReadOnlyList<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Count == 0) return (double.NaN, double.NaN, double.NaN);
        double mean = values.Average();
        if (values.Count < 2) return (mean, double.NaN, double.NaN);
        double sd = Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Count - 1));
        double half = Z95 * sd / Math.Sqrt(values.Count);
        return (mean, mean - half, mean + half);
    }

    /// <summary>The results as text tables.</summary>
    public string ToText()
    {
        var text = new StringBuilder();
        CultureInfo inv = CultureInfo.InvariantCulture;
        text.AppendLine(inv, $"study {Study ?? "(all)"}: {Participants} participant(s)");
        text.AppendLine("class discrimination (which class does the map explain?)");
        text.AppendLine("  method                answers  correct  can't tell  accuracy  95% CI");
        foreach (DiscriminationResult r in Discrimination)
        {
            text.AppendLine(inv, $"  {r.Method,-20}  {r.Answers,7}  {r.Correct,7}  {r.CannotTell,10}  " +
                $"{r.Accuracy * 100,7:0.0}%  [{r.Low * 100:0.0}%, {r.High * 100:0.0}%]");
        }
        if (Discrimination.Count == 0) text.AppendLine("  (no answers)");
        text.AppendLine(inv, $"  {PaperDiscrimination}");
        text.AppendLine("trust (which model is more reasonable? -2 .. 2, positive favours model A)");
        text.AppendLine("  method                model A -> model B                      answers   mean  95% CI");
        foreach (TrustResult r in Trust)
        {
            string interval = r.Low is null ? "(one rating)" : string.Create(inv, $"[{r.Low:0.00}, {r.High:0.00}]");
            text.AppendLine(string.Create(inv, $"  {r.Method,-20}  {r.ModelA + " -> " + r.ModelB,-38}  " +
                $"{r.Answers,7}  {r.MeanRating,5:+0.00;-0.00;0.00}  {interval}"));
        }
        if (Trust.Count == 0) text.AppendLine("  (no answers)");
        return text.ToString();
    }

    /// <summary>The results as CSV, one row per kind and method, with a header.</summary>
    public string ToCsv()
    {
        CultureInfo inv = CultureInfo.InvariantCulture;
        var csv = new StringBuilder("kind,method,model_a,model_b,answers,correct,cannot_tell,value,ci_low,ci_high\n");
        foreach (DiscriminationResult r in Discrimination)
        {
            csv.AppendLine(inv, $"{StudyKinds.Discrimination},{r.Method},,,{r.Answers},{r.Correct},{r.CannotTell}," +
                $"{r.Accuracy:0.####},{r.Low:0.####},{r.High:0.####}");
        }
        foreach (TrustResult r in Trust)
        {
            csv.AppendLine(inv, $"{StudyKinds.Trust},{r.Method},{r.ModelA},{r.ModelB},{r.Answers},,," +
                $"{r.MeanRating:0.####},{r.Low:0.####},{r.High:0.####}");
        }
        return csv.ToString();
    }
}
