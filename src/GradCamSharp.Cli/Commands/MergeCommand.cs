using System.CommandLine;
using GradCamSharp.Classification;
using GradCamSharp.Pipeline.Datasets;

namespace GradCamSharp.Cli.Commands;

/// <summary><c>gradcam merge</c>: the output folders of a dataset's shards joined into one.</summary>
internal static class MergeCommand
{
    internal static Command Create()
    {
        var shards = new Argument<string[]>("DIR")
        {
            Description = "The shards' output folders", Arity = ArgumentArity.OneOrMore,
        };
        var output = new Option<string>("--out", "-o") { Description = "A new or empty folder", Required = true };
        var quiet = new Option<bool>("--quiet", "-q") { Description = "No progress lines on standard error" };
        var markdown = new MarkdownTableOption();
        var command = CommandHelp.Create("merge", "Join the output folders of a dataset's shards into one", """
            Join the folders that 'gradcam explain DIR --shard I/N' wrote, one per shard, into one folder, as if
            one run had explained the whole dataset: every map at the same relative path, one explanations.jsonl
            and one failures.jsonl with the lines in the order of the photos' paths. Shards made with different
            settings (model, methods, classes, layer, drawing: the hash in every line) or sharing a photo are
            refused before anything is written. The exit code is 5 when the shards hold failed photos.

            Folders of 'gradcam evaluate --out DIR --shard I/N' are merged the same way: every picture's records,
            and evaluation.json and report.html computed from all of them, equal to one run's; --markdown prints
            their method x metric table. Each folder must be finished (hold its evaluation.json), so that a shard
            still running is never merged as if it were whole.

            Examples:
              gradcam merge out/shard-0 out/shard-1 out/shard-2 out/shard-3 --out out/all
              gradcam merge out/shard-* --out out/all
              gradcam merge eval/shard-* --out eval/all     # evaluate's shards
              gradcam merge eval/shard-* --out eval/all --markdown pointing,road,arcc
            """);
        command.Add(shards);
        command.Add(output);
        command.Add(quiet);
        command.Add(markdown.Option);
        command.SetAction(result => Run(result.InvocationConfiguration.Output, result.InvocationConfiguration.Error,
            result.GetValue(shards)!, result.GetValue(output)!, result.GetValue(quiet), markdown.Read(result)));
        return command;
    }

    /// <summary>Merges; returns the exit code.</summary>
    /// <param name="standard">Where the Markdown table goes.</param>
    /// <param name="error">Where progress and the summary line go.</param>
    /// <param name="shards">The folders.</param>
    /// <param name="output">The new folder.</param>
    /// <param name="quiet">No progress lines.</param>
    /// <param name="markdown">An evaluation's table columns to print (empty: all measured); null prints none.</param>
    public static int Run(TextWriter standard, TextWriter error, IReadOnlyList<string> shards, string output,
        bool quiet, IReadOnlyList<string>? markdown = null)
    {
        ArgumentNullException.ThrowIfNull(standard);
        ArgumentNullException.ThrowIfNull(error);
        if (shards.Count > 0 && File.Exists(Path.Combine(shards[0], EvaluationRecords.FileName)))
        {
            EvaluationSummary summary = EvaluationRecords.Merge(shards, output);
            if (!quiet)
            {
                error.WriteLine($"gradcam: merged {shards.Count} evaluation shard(s): {summary.Cases} object(s) into " +
                    $"{output}/{EvaluationRecords.SummaryName} and {output}/{EvaluationRecords.ReportName}");
            }
            if (markdown is not null) MarkdownTableOption.Write(standard, summary, markdown);
            return ExitCodes.Success;
        }
        if (markdown is not null)
        {
            throw new UsageException(
                "--markdown prints an evaluation's table: these are no 'gradcam evaluate' folders");
        }
        DatasetCounts counts = DatasetMerge.Run(shards, output, quiet ? null : new LineProgress(error));
        if (!quiet)
        {
            error.WriteLine($"gradcam: merged {shards.Count} shard(s): {counts.Explained} photo(s), " +
                $"{counts.Entries} map(s), {counts.Failed} failed, into {output}");
        }
        return counts.Failed > 0 ? ExitCodes.SomeFailed : ExitCodes.Success;
    }
}
