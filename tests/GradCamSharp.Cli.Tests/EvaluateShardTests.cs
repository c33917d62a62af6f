using System.Text.RegularExpressions;
using GradCamSharp.Classification;

namespace GradCamSharp.Cli.Tests;

/// <summary>
/// <c>evaluate --out</c> streams its records: a killed run resumes, and shards merged give one run's evaluation.json
/// and report byte for byte (the same means, and the same seeded bootstrap intervals).
/// </summary>
public sealed class EvaluateShardTests : IDisposable
{
    private static readonly string[] Evaluate = ["evaluate", "--composites", "6", "--seed", "31", "--method",
        "gradcam,gradcam++", "--no-faithfulness", "--sanity-steps", "1", "--no-road", "--no-baseline",
        "--deletion-steps", "4"];

    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void ShardsMerged_AndAResumedRun_EqualOneRun()
    {
        Assert.Equal(ExitCodes.Success, CliRun.Of([.. Evaluate, "--out", _folder["one"]]).ExitCode);
        string summary = File.ReadAllText(Path.Combine(_folder["one"], EvaluationRecords.SummaryName));
        string report = File.ReadAllText(Path.Combine(_folder["one"], EvaluationRecords.ReportName));
        string[] records = File.ReadAllLines(Path.Combine(_folder["one"], EvaluationRecords.FileName));
        Assert.Equal(6, records.Length);

        string[] shards = [_folder["shard0"], _folder["shard1"], _folder["shard2"]];
        for (int i = 0; i < shards.Length; i++)
        {
            Assert.Equal(ExitCodes.Success,
                CliRun.Of([.. Evaluate, "--out", shards[i], "--shard", $"{i}/{shards.Length}"]).ExitCode);
        }
        CliRun merged = CliRun.Of(["merge", .. shards, "--out", _folder["merged"]]);
        Assert.Equal(ExitCodes.Success, merged.ExitCode);
        Assert.Equal(summary, File.ReadAllText(Path.Combine(_folder["merged"], EvaluationRecords.SummaryName)));
        // The tables and thumbnails; the plots' SVG carries ids from a counter of the plotting library that runs on
        // within one process (separate processes, as a cluster runs them, write the same bytes).
        Assert.Equal(WithoutPlots(report),
            WithoutPlots(File.ReadAllText(Path.Combine(_folder["merged"], EvaluationRecords.ReportName))));

        // A run killed after two pictures, in the middle of writing the third's line.
        string resumed = _folder["resumed"];
        Directory.CreateDirectory(resumed);
        File.WriteAllText(Path.Combine(resumed, EvaluationRecords.FileName),
            records[0] + "\n" + records[1] + "\n" + records[2][..40]);
        CliRun again = CliRun.Of([.. Evaluate, "--out", resumed]);
        Assert.Equal(ExitCodes.Success, again.ExitCode);
        Assert.Contains("2 picture(s) already done", again.Error);
        Assert.Equal(summary, File.ReadAllText(Path.Combine(resumed, EvaluationRecords.SummaryName)));
        Assert.Equal(6, File.ReadAllLines(Path.Combine(resumed, EvaluationRecords.FileName)).Length);

        // A run interrupted (Ctrl-C, a preempted pod's SIGTERM) within its second picture keeps the first and resumes.
        string interrupted = _folder["interrupted"];
        using (var signal = new CancellationTokenSource())
        {
            var error = new CancellingWriter("composite-31-0001", signal);
            int code = GradCamCli.Run([.. Evaluate, "--out", interrupted], new StringWriter(), error, signal.Token);
            Assert.Equal(ExitCodes.Cancelled, code);
            Assert.Contains($"the pictures done are kept in {interrupted}/{EvaluationRecords.FileName}",
                error.ToString());
        }
        Assert.InRange(File.ReadAllLines(Path.Combine(interrupted, EvaluationRecords.FileName)).Length, 1, 5);
        Assert.False(File.Exists(Path.Combine(interrupted, EvaluationRecords.SummaryName)));
        CliRun finished = CliRun.Of([.. Evaluate, "--out", interrupted]);
        Assert.Equal(ExitCodes.Success, finished.ExitCode);
        Assert.Equal(summary, File.ReadAllText(Path.Combine(interrupted, EvaluationRecords.SummaryName)));

        // A finished folder gives its tables again without evaluating anything, here in Markdown.
        CliRun table = CliRun.Of([.. Evaluate, "--out", resumed, "--markdown", "pointing,deletion"]);
        Assert.Equal(ExitCodes.Success, table.ExitCode);
        Assert.Contains("6 picture(s) already done", table.Error);
        string[] lines = table.Output.Trim().Split('\n').Select(l => l.TrimEnd('\r')).ToArray();
        Assert.Equal("| method | pointing \u2191 | deletion \u2193 |", lines[0]);
        Assert.Equal(["gradcam", "gradcam++"], lines[2..].Select(l => l.Split(" | ")[0].TrimStart('|', ' ')));
        // The shards' merge prints the same table.
        CliRun mergedTable = CliRun.Of(["merge", .. shards, "--out", _folder["table"], "--markdown",
            "pointing,deletion"]);
        Assert.Equal(ExitCodes.Success, mergedTable.ExitCode);
        Assert.Equal(table.Output, mergedTable.Output);
    }

    /// <summary>Standard error that cancels <paramref name="signal"/> once a line names <paramref name="trigger"/>.
    /// </summary>
    private sealed class CancellingWriter(string trigger, CancellationTokenSource signal) : StringWriter
    {
        public override void WriteLine(string? value)
        {
            base.WriteLine(value);
            if (value?.Contains(trigger, StringComparison.Ordinal) == true) signal.Cancel();
        }
    }

    private static string WithoutPlots(string html)
    {
        string stripped = Regex.Replace(html, "<svg.*?</svg>", "", RegexOptions.Singleline);
        Assert.Contains("data:image/png;base64,", stripped);
        return stripped;
    }

    [Fact]
    public void OtherSettingsInTheFolder_OrAShardWithoutAFolder_AreRefused()
    {
        Assert.Equal(ExitCodes.Success, CliRun.Of([.. Evaluate, "--out", _folder["one"]]).ExitCode);
        CliRun other = CliRun.Of([.. Evaluate[..^2], "--deletion-steps", "5", "--out", _folder["one"]]);
        Assert.Equal(ExitCodes.Usage, other.ExitCode);
        Assert.Contains("other settings", other.Error);
        CliRun noFolder = CliRun.Of([.. Evaluate, "--shard", "0/2"]);
        Assert.Equal(ExitCodes.Usage, noFolder.ExitCode);
        Assert.Contains("--shard needs --out", noFolder.Error);
        CliRun noMetric = CliRun.Of([.. Evaluate, "--markdown", "pointing,speed"]);
        Assert.Equal(ExitCodes.Usage, noMetric.ExitCode);
        Assert.Contains("no metric 'speed'", noMetric.Error);
        CliRun withTask = CliRun.Of(["evaluate", "--task", "vqa", "--markdown"]);
        Assert.Equal(ExitCodes.Usage, withTask.ExitCode);
        Assert.Contains("not with --task", withTask.Error);
    }
}
