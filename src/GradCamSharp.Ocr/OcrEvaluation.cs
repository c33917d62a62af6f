using TorchSharp;
using GradCamSharp.Evaluation;
using GradCamSharp.Maps;
using GradCamSharp.Methods;
using GradCamSharp.Models;
using static TorchSharp.torch;
using GradCamSharp.Pipeline;

namespace GradCamSharp.Ocr;

/// <summary>What <c>gradcam evaluate --task ocr</c> measures.</summary>
public sealed record OcrEvaluationOptions
{
    /// <summary>How many rendered lines.</summary>
    public int Lines { get; init; } = 40;

    /// <summary>The lines' seed.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>The methods compared.</summary>
    public IReadOnlyList<string> Methods { get; init; } = ["gradcam", "gradcam++", "hirescam", "layercam"];

    /// <summary>The target layer.</summary>
    public string Layer { get; init; } = ModelLayers.Auto;
}

/// <summary>One method's per-character localisation.</summary>
/// <param name="Method">The method.</param>
/// <param name="Layer">The layer it explained.</param>
/// <param name="Hits">Characters whose map peaks inside their span, widened by a quarter of its width each
/// side.</param>
/// <param name="Characters">Characters measured (those of lines read exactly).</param>
/// <param name="InsideOutside">The median, over characters, of the map's mean inside the span over its mean outside
/// (the paper's ratio; a map that is zero outside the span makes it very large).</param>
/// <param name="MassInside">The mean share of the map's total inside the character's span.</param>
public sealed record OcrMethodResult(string Method, string Layer, int Hits, int Characters, double InsideOutside,
    double MassInside)
{
    /// <summary>Hits over characters.</summary>
    public double Pointing => Characters > 0 ? (double)Hits / Characters : 0;
}

/// <summary>Recognition and per-character pointing on rendered lines.</summary>
/// <param name="Lines">Lines rendered.</param>
/// <param name="ExactClean">Clean lines read exactly, of <paramref name="CleanLines"/>.</param>
/// <param name="CleanLines">Lines without noise.</param>
/// <param name="ExactNoisy">Noisy lines read exactly, of <paramref name="NoisyLines"/>.</param>
/// <param name="NoisyLines">Lines with noise and blur.</param>
/// <param name="CerClean">Character error rate on clean lines (edit distance over true length, pooled).</param>
/// <param name="CerNoisy">Character error rate on noisy lines.</param>
/// <param name="Methods">Per method, the pointing game on the characters of exactly read lines.</param>
public sealed record OcrEvaluationReport(int Lines, int ExactClean, int CleanLines, int ExactNoisy, int NoisyLines,
    double CerClean, double CerNoisy, IReadOnlyList<OcrMethodResult> Methods);

/// <summary>
/// Measures the recogniser and its explanations on seeded rendered lines (<see cref="TextLineRenderer"/>): exact
/// reads and character error rate, and per method how often a character's map peaks inside that character's span.
/// </summary>
public static class OcrEvaluation
{
    /// <summary>Runs the evaluation.</summary>
    /// <param name="recognizer">The recogniser.</param>
    /// <param name="options">Lines, seed, methods, layer.</param>
    /// <param name="progress">A line every ten lines.</param>
    /// <param name="cancellationToken">Checked between lines.</param>
    public static OcrEvaluationReport Run(TextRecognizer recognizer, OcrEvaluationOptions options,
        IProgress<string>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(recognizer);
        ArgumentNullException.ThrowIfNull(options);
        if (options.Lines < 1) throw new UsageException($"--lines must be at least 1, got {options.Lines}");
        IReadOnlyList<MethodDescriptor> methods = KnownMethods.Expand(options.Methods);
        var settings = new ExplanationSettings { Methods = [.. methods.Select(m => m.Name)], Layer = options.Layer };
        var explainer = new TextLineExplainer(recognizer, settings);
        int exactClean = 0, clean = 0, exactNoisy = 0, noisy = 0;
        long errorsClean = 0, lengthClean = 0, errorsNoisy = 0, lengthNoisy = 0;
        var hits = new int[methods.Count];
        var counted = new int[methods.Count];
        var ratios = methods.Select(_ => new List<double>()).ToArray();
        var mass = new double[methods.Count];
        var layers = new string[methods.Count];
        for (int index = 0; index < options.Lines; index++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            using DisposeScope scope = NewDisposeScope();
            using RenderedLine line = TextLineRenderer.Render(options.Seed, index);
            using ExplainedLine explained = explainer.Explain(line.Picture, $"line {index}");
            string read = explained.Line.Text;
            int errors = EditDistance.Between(read, line.Text);
            bool exact = read == line.Text;
            if (line.Noisy)
            {
                noisy++;
                errorsNoisy += errors;
                lengthNoisy += line.Text.Length;
                if (exact) exactNoisy++;
            }
            else
            {
                clean++;
                errorsClean += errors;
                lengthClean += line.Text.Length;
                if (exact) exactClean++;
            }
            if (exact)
            {
                foreach (ExplainedToken token in explained.Tokens)
                {
                    (double x0, double x1) = line.Spans[token.Index];
                    for (int m = 0; m < methods.Count; m++)
                    {
                        RenderedMap map = token.Rendered.Maps[m];
                        Heatmap located = explained.Line.Prepared.ToOriginal(map.Explanation.Heatmap);
                        if (PointingGame.Hit(located, PointingArea(x0, x1))) hits[m]++;
                        ratios[m].Add(MapRegions.InsideOverOutside(located, Area.Columns(x0, x1)));
                        mass[m] += MapRegions.Share(located, Area.Columns(x0, x1));
                        counted[m]++;
                        layers[m] = map.Explanation.Layer;
                    }
                }
            }
            if ((index + 1) % 10 == 0 || index + 1 == options.Lines)
                progress?.Report($"ocr: {index + 1}/{options.Lines} lines");
        }
        return new OcrEvaluationReport(options.Lines, exactClean, clean, exactNoisy, noisy,
            lengthClean > 0 ? (double)errorsClean / lengthClean : 0,
                lengthNoisy > 0 ? (double)errorsNoisy / lengthNoisy : 0,
            methods.Select((m, i) => new OcrMethodResult(m.Name, layers[i] ?? "", hits[i], counted[i],
                Statistics.Median(ratios[i]), counted[i] > 0 ? mass[i] / counted[i] : 0)).ToList());
    }

    /// <summary>
    /// Where a character's map should peak: its columns [x0, x1) widened by a quarter of their width each side (the
    /// recogniser's frames are 8 columns wide, and a narrow character's evidence spills onto its neighbours).
    /// </summary>
    public static Area PointingArea(double x0, double x1) => Area.Columns(x0, x1).Widened((x1 - x0) / 4, 0);
}
