using System.Globalization;
using System.Net;
using System.Text;
using GradCamSharp.Evaluation;
using ScottPlot;

namespace GradCamSharp.Classification;

/// <summary>
/// The evaluation as one self-contained HTML file: the method x metric table with 95% intervals, one plot per metric
/// (bars with intervals; the mean deletion and insertion curves; the cascading- and independent-randomization curves),
/// drawn with ScottPlot as inline SVG, and a grid of thumbnails with the annotated (green) and 15%-of-max (white)
/// boxes. No script, no network.
/// </summary>
public static class EvaluationReport
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>Writes the report of <paramref name="summary"/> to <paramref name="path"/>.</summary>
    public static void Write(EvaluationSummary summary, IReadOnlyList<EvaluationThumbnail> thumbnails, string path,
        IReadOnlyList<EvaluationFailure>? failures = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        File.WriteAllText(path, Html(summary, thumbnails, failures), Encoding.UTF8);
    }

    /// <summary>The report of <paramref name="summary"/> as an HTML document.</summary>
    /// <param name="summary">The evaluation.</param>
    /// <param name="thumbnails">Maps of the first objects, per method.</param>
    /// <param name="failures">The gallery of failure modes: objects the model does not rank first.</param>
    public static string Html(EvaluationSummary summary, IReadOnlyList<EvaluationThumbnail> thumbnails,
        IReadOnlyList<EvaluationFailure>? failures = null)
    {
        ArgumentNullException.ThrowIfNull(summary);
        ArgumentNullException.ThrowIfNull(thumbnails);
        var html = new StringBuilder();
        html.Append("""
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8"/>
            <title>GradCamSharp evaluation</title>
            <style>
            body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 1300px; padding: 0 1rem; }
            table { border-collapse: collapse; font-size: 0.85rem; margin: 1rem 0; }
            th, td { border-bottom: 1px solid #ddd; padding: 0.25rem 0.6rem; text-align: right; white-space: nowrap; }
            th:first-child, td:first-child { text-align: left; }
            td small { color: #777; }
            .plots { display: flex; flex-wrap: wrap; gap: 1rem; }
            .plots figure { margin: 0; }
            .grid { display: grid; grid-template-columns: repeat(auto-fill, 170px); gap: 0.5rem; font-size: 0.75rem; }
            .grid figure { margin: 0; }
            .failures { display: flex; flex-wrap: wrap; gap: 1rem; font-size: 0.75rem; }
            .failures figure { margin: 0; }
            dl { font-size: 0.85rem; } dt { font-weight: 600; } dd { margin: 0 0 0.3rem 1rem; }
            </style>
            </head>
            <body>
            """);
        html.Append(
            $"<h1>Evaluation of {Text(summary.Model)}</h1>\n<p>{Text(summary.Source)}: " +
            $"{summary.Cases} annotated objects, methods " +
                $"{Text(string.Join(", ", summary.Methods.Select(m => m.Method)))}. " +
            $"Each figure is a mean over objects with its 95% percentile-bootstrap interval ({Bootstrap.Resamples} " +
            $"resamples). Deletion and insertion remove or restore the map's most salient input pixels in " +
            $"{summary.Options.DeletionSteps} equal steps, removed pixels taking the mean colour (0 after " +
            "normalisation). ROAD removes 10% to 90% of the pixels, most or least relevant first, and fills them by " +
            "noisy linear imputation; " + (summary.Methods.Any(m => m.Method == EvaluationRunner.BaselineMethod)
                ? $"{EvaluationRunner.BaselineMethod} (random channel weights) is the chance level.</p>\n"
                : "</p>\n"));
        if (summary.Unmatched.Count > 0)
        {
            html.Append("<p>Labels the model lacks (not evaluated): ")
                .Append(Text(string.Join(", ",
                    summary.Unmatched.Select(u => $"{u.Key} ({u.Value})")))).Append("</p>\n");
        }
        html.Append("<div style=\"overflow-x: auto\">\n");
        AppendTable(html, summary);
        html.Append("</div>\n");
        html.Append("<h2>Plots</h2>\n<div class=\"plots\">\n");
        foreach (MetricDescriptor metric in KnownMetrics.Registered)
        {
            if (!summary.Methods.Any(m => m.Metrics.ContainsKey(metric.Name))) continue;
            Figure(html, $"plot-{metric.Name}", BarPlot(summary, metric.Name), metric.Description);
        }
        Figure(html, "plot-deletion-curve", CurvePlot(summary, m => m.DeletionCurve, "Deletion curve"),
            "mean score as the most salient pixels are removed");
        Figure(html, "plot-insertion-curve", CurvePlot(summary, m => m.InsertionCurve, "Insertion curve"),
            "mean score as the most salient pixels are restored");
        if (summary.Methods.Any(m => m.RoadMostRelevantFirstCurve.Count > 0))
        {
            double first = Road.DefaultShares[0], last = Road.DefaultShares[^1];
            Figure(html, "plot-road-morf-curve", CurvePlot(summary, m => m.RoadMostRelevantFirstCurve,
                "ROAD, most relevant first", first, last, "probability change"),
                "mean class-probability change as the most relevant pixels are removed and imputed (lower is better)");
            Figure(html, "plot-road-lerf-curve", CurvePlot(summary, m => m.RoadLeastRelevantFirstCurve,
                "ROAD, least relevant first", first, last, "probability change"),
                "mean class-probability change as the least relevant pixels are removed and imputed (higher is " +
                "better)");
        }
        if (summary.Methods.Any(m => m.Randomization.Count > 0))
        {
            Figure(html, "plot-cascading-randomization", SanityPlot(summary, EvaluationRunner.Cascading),
                "cascading randomization: Spearman with the trained model's map as the weights are randomised from " +
                "the top down");
            Figure(html, "plot-independent-randomization", SanityPlot(summary, EvaluationRunner.Independent),
                "independent randomization: Spearman with the trained model's map, one band of weights randomised");
        }
        html.Append("</div>\n");
        AppendThumbnails(html, thumbnails);
        AppendFailureModes(html, summary, failures ?? []);
        html.Append("<h2>Metrics</h2>\n<dl>\n");
        foreach (MetricDescriptor metric in KnownMetrics.Registered)
            html.Append(Invariant, $"<dt>{metric.Name}</dt><dd>{Text(metric.Description)}</dd>\n");
        html.Append("</dl>\n</body>\n</html>\n");
        return html.ToString();
    }

    private static void AppendTable(StringBuilder html, EvaluationSummary summary)
    {
        string[] metrics = KnownMetrics.Registered.Select(m => m.Name)
            .Where(name => summary.Methods.Any(m => m.Metrics.ContainsKey(name))).ToArray();
        html.Append("<table id=\"metrics\">\n<thead><tr><th>method</th>");
        foreach (string metric in metrics)
            html.Append(Invariant, $"<th title=\"{Text(KnownMetrics.Get(metric).Description)}\">{metric}</th>");
        html.Append("</tr></thead>\n<tbody>\n");
        foreach (MethodSummary method in summary.Methods)
        {
            html.Append(Invariant, $"<tr><td>{Text(method.Method)}</td>");
            foreach (string metric in metrics)
            {
                html.Append(method.Metrics.TryGetValue(metric, out MeanInterval? value)
                    ? string.Create(Invariant, $"<td>{value.Mean:0.000}<br/><small>[{value.Low:0.000}, " +
                        $"{value.High:0.000}]</small></td>")
                    : "<td></td>");
            }
            html.Append("</tr>\n");
        }
        html.Append("</tbody>\n</table>\n");
    }

    private static void AppendThumbnails(StringBuilder html, IReadOnlyList<EvaluationThumbnail> thumbnails)
    {
        if (thumbnails.Count == 0) return;
        html.Append("<h2>Maps</h2>\n<p>Green: the annotated box. White: the box around the largest region above 15% " +
            "of the map's maximum.</p>\n<div class=\"grid\">\n");
        foreach (EvaluationThumbnail thumbnail in thumbnails)
        {
            html.Append(Invariant,
                $"<figure><img src=\"data:image/png;base64,{Convert.ToBase64String(thumbnail.Png)}\"" +
                $" alt=\"{Text(thumbnail.Method)}\"/><figcaption>{Text(Path.GetFileName(thumbnail.Image))} " +
                $"{Text(thumbnail.Label)}: {Text(thumbnail.Method)}</figcaption></figure>\n");
        }
        html.Append("</div>\n");
    }

    /// <summary>
    /// The paper's Figure 2 for this evaluation: how often the model misses an object's class, what it says instead,
    /// whether each method's map of the true class still finds the object, and a gallery of such objects.
    /// </summary>
    private static void AppendFailureModes(StringBuilder html, EvaluationSummary summary,
        IReadOnlyList<EvaluationFailure> failures)
    {
        if (summary.FailureModes is not FailureModes modes) return;
        string median = modes.MedianRankWhenWrong is double rank
            ? string.Create(Invariant, $"; the true class's median rank is {rank:0.#}") : "";
        html.Append("<h2 id=\"failure-modes\">Failure modes</h2>\n").Append(string.Create(Invariant,
            $"<p>The object's class is the model's top-1 for {modes.Top1} of {modes.Objects} objects " +
            $"({modes.Top1Accuracy:P1}). Of the {modes.Objects - modes.Top1} others, {modes.WrongToOtherObject} " +
            $"are in pictures where the top-1 class is another annotated object, and {modes.WrongToAbsentClass} " +
            $"where it is a class the picture does not hold (the paper's Figure 2: a volcano predicted as a " +
            $"sandbar){median}.</p>\n"));
        html.Append("<table id=\"failure-pointing\">\n<thead><tr><th>method</th><th>pointing, top-1 right</th>" +
            "<th>pointing, top-1 wrong</th></tr></thead>\n<tbody>\n");
        foreach (MethodSummary method in summary.Methods)
        {
            string Cell(string metric) => method.Metrics.TryGetValue(metric, out MeanInterval? value)
                ? string.Create(Invariant, $"<td>{value.Mean:0.000}<br/><small>[{value.Low:0.000}, " +
                    $"{value.High:0.000}]</small></td>") : "<td></td>";
            html.Append(Invariant, $"<tr><td>{Text(method.Method)}</td>{Cell(KnownMetrics.PointingWhenRight)}" +
                $"{Cell(KnownMetrics.PointingWhenWrong)}</tr>\n");
        }
        html.Append("</tbody>\n</table>\n");
        if (modes.Confusions.Count > 0)
        {
            html.Append("<p>Most frequent: ").Append(Text(string.Join(", ", modes.Confusions.Take(8)
                .Select(c => $"{c.Key} ({c.Value})")))).Append("</p>\n");
        }
        if (failures.Count == 0) return;
        html.Append("<p>Each: the photo with the object's box, the map of the predicted class, the map of the " +
            "object's class.</p>\n<div class=\"failures\">\n");
        foreach (EvaluationFailure failure in failures)
        {
            html.Append(Invariant,
                $"<figure><img src=\"data:image/png;base64,{Convert.ToBase64String(failure.Png)}\"" +
                $" alt=\"{Text(failure.Label)}\"/><figcaption>{Text(Path.GetFileName(failure.Image))}: " +
                $"{Text(failure.Label)} (rank {failure.Rank}), predicted {Text(failure.Predicted)}; " +
                $"{Text(failure.Method)}</figcaption></figure>\n");
        }
        html.Append("</div>\n");
    }

    private static void Figure(StringBuilder html, string id, Plot plot, string caption)
    {
        string svg = plot.GetSvgXml(520, 340);
        // The SVG's XML declaration is not allowed inside HTML.
        int start = svg.IndexOf("<svg", StringComparison.Ordinal);
        html.Append($"<figure id=\"{id}\">{svg[Math.Max(0, start)..]}<figcaption>{Text(caption)}</figcaption>" +
            "</figure>\n");
    }

    private static Plot BarPlot(EvaluationSummary summary, string metric)
    {
        var plot = new Plot();
        MethodSummary[] methods = summary.Methods.Where(m => m.Metrics.ContainsKey(metric)).ToArray();
        var bars = methods.Select((m, i) =>
        {
            MeanInterval value = m.Metrics[metric];
            return new Bar
            {
                Position = i, Value = value.Mean, ValueBase = 0,
                Error = Math.Max(value.High - value.Mean, value.Mean - value.Low),
                FillColor = Palette(i),
            };
        }).ToArray();
        plot.Add.Bars(bars);
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            Enumerable.Range(0, methods.Length).Select(i => (double)i).ToArray(),
                methods.Select(m => m.Method).ToArray());
        plot.Axes.Bottom.TickLabelStyle.FontSize = methods.Length > 4 ? 9 : 11;
        plot.Title(metric);
        return plot;
    }

    /// <summary>One line per method, its points evenly spread over the shares of pixels from..to.</summary>
    private static Plot CurvePlot(EvaluationSummary summary, Func<MethodSummary, IReadOnlyList<double>> curve,
        string title, double from = 0, double to = 1, string yLabel = "score")
    {
        var plot = new Plot();
        int index = 0;
        foreach (MethodSummary method in summary.Methods)
        {
            IReadOnlyList<double> values = curve(method);
            if (values.Count == 0) continue;
            double[] xs = [.. Enumerable.Range(0, values.Count)
                .Select(i => from + (to - from) * i / Math.Max(1, values.Count - 1))];
            var line = plot.Add.Scatter(xs, values.ToArray());
            line.LegendText = method.Method;
            line.Color = Palette(index++);
        }
        plot.Title(title);
        plot.XLabel("share of pixels");
        plot.YLabel(yLabel);
        plot.ShowLegend();
        return plot;
    }

    private static Plot SanityPlot(EvaluationSummary summary, string kind)
    {
        var plot = new Plot();
        int index = 0;
        foreach (MethodSummary method in summary.Methods)
        {
            SanitySummary[] steps = method.Randomization.Where(r => r.Kind == kind).ToArray();
            if (steps.Length == 0) continue;
            var line = plot.Add.Scatter(steps.Select(s => s.ToTop).ToArray(), steps.Select(s => s.Spearman.Mean)
                .ToArray());
            line.LegendText = method.Method;
            line.Color = Palette(index++);
        }
        plot.Title(kind == EvaluationRunner.Cascading ? "Cascading randomization" : "Independent randomization");
        plot.XLabel(kind == EvaluationRunner.Cascading ? "weights randomised from the top (share)"
            : "band randomised (its lower end, share from the top)");
        plot.YLabel("Spearman with the trained map");
        plot.ShowLegend();
        return plot;
    }

    private static Color Palette(int index) => new ScottPlot.Palettes.Category10().GetColor(index);

    private static string Text(string value) => WebUtility.HtmlEncode(value);
}
