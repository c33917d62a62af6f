using System.CommandLine;
using GradCamSharp.Classification;
using GradCamSharp.Evaluation;

namespace GradCamSharp.Cli.Commands;

/// <summary>
/// <c>--markdown [METRIC,...]</c> of <c>evaluate</c> and <c>merge</c>: the method x metric table of an evaluation in
/// Markdown, with the metrics named as columns, or every metric measured.
/// </summary>
internal sealed class MarkdownTableOption
{
    /// <summary>The option itself.</summary>
    public Option<string[]> Option { get; } = new("--markdown")
    {
        Description = "Print the method x metric table in Markdown (mean [95% interval]), with these metrics as " +
            "columns, comma-separated (all measured when none is named): " +
            string.Join(", ", KnownMetrics.Registered.Select(m => m.Name)),
        Arity = ArgumentArity.ZeroOrMore,
        AllowMultipleArgumentsPerToken = false,
    };

    /// <summary>The columns asked: null when the option is absent, empty for every metric measured.</summary>
    /// <exception cref="UsageException">A name that is no metric.</exception>
    public IReadOnlyList<string>? Read(ParseResult result)
    {
        if (result.GetResult(Option) is null) return null;
        string[] names = [.. (result.GetValue(Option) ?? []).SelectMany(v => v.Split(',',
            StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))];
        if (names.FirstOrDefault(name => KnownMetrics.Registered.All(m => m.Name != name)) is { } unknown)
        {
            throw new UsageException($"--markdown: no metric '{unknown}'; the metrics are " +
                string.Join(", ", KnownMetrics.Registered.Select(m => m.Name)));
        }
        return names;
    }

    /// <summary>Writes <paramref name="summary"/>'s table with <paramref name="columns"/> (from <see cref="Read"/>).
    /// </summary>
    public static void Write(TextWriter output, EvaluationSummary summary, IReadOnlyList<string> columns) =>
        output.Write(summary.ToMarkdown(columns.Count > 0 ? columns : null));
}
