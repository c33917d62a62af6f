using System.Text;
using System.Text.RegularExpressions;

namespace GradCamSharp.Cli.Tests;

/// <summary>
/// docs/paper.md reproduces the paper figure by figure with commands: each of them runs as written, on fewer scenes
/// and pictures (counts shrunk, the costliest measures switched off), its folders moved into a temporary one, the
/// files it reads from docs/ copied there. The study's server waits for participants: it is parsed, not run.
/// </summary>
public sealed partial class PaperPageTests
{
    private static readonly string[] ParsedOnly = ["serve"];

    [Fact]
    public void EveryCommandOfThePaperPage_Runs()
    {
        string page = File.ReadAllText(Path.Combine(SharedFixtures.RepositoryRoot, "docs", "paper.md"));
        List<string[]> commands = Commands(page);
        using var folder = new TempFolder();
        var moved = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string[] command in commands)
        {
            for (int i = 0; i + 1 < command.Length; i++)
            {
                if (command[i] is "--out" or "-o") moved[command[i + 1].TrimEnd('/')] = folder[command[i + 1]];
            }
        }

        Assert.True(commands.Count >= 20, $"{commands.Count} commands in docs/paper.md");
        Assert.Contains(commands, c => c.Contains("dense-caption"));
        foreach (string[] command in commands)
        {
            // The command's name stays: "scenes" is a command and a folder.
            string[] args = Shrunk([command[0], .. command.Skip(1).Select(a => Moved(a, moved, folder))]);
            if (ParsedOnly.Contains(args[0]))
            {
                Assert.Empty(GradCamCli.Build().Parse(args).Errors);
                continue;
            }
            CliRun run = CliRun.Of(args);
            Assert.True(run.ExitCode == 0, $"./gradcam {string.Join(' ', command)} failed: {run.Error}");
        }
    }

    /// <summary>Every <c>./gradcam</c> command of the page's bash blocks, continuation lines joined, as arguments.
    /// </summary>
    private static List<string[]> Commands(string page)
    {
        var commands = new List<string[]>();
        foreach (Match block in BashBlock().Matches(page))
        {
            string joined = block.Groups[1].Value.Replace("\\\n", " ", StringComparison.Ordinal);
            foreach (string line in joined.Split('\n'))
            {
                string text = line.Trim();
                if (text.StartsWith("./gradcam ", StringComparison.Ordinal))
                    commands.Add(Words(text["./gradcam ".Length..]));
            }
        }
        return commands;
    }

    /// <summary>A shell line's words: split at spaces, double quotes grouping.</summary>
    private static string[] Words(string line)
    {
        var words = new List<string>();
        var word = new StringBuilder();
        bool quoted = false, any = false;
        foreach (char c in line)
        {
            if (c == '"')
            {
                quoted = !quoted;
                any = true;
            }
            else if (c == ' ' && !quoted)
            {
                if (any) words.Add(word.ToString());
                word.Clear();
                any = false;
            }
            else
            {
                word.Append(c);
                any = true;
            }
        }
        if (any) words.Add(word.ToString());
        return [.. words];
    }

    /// <summary>
    /// A path into a folder some command writes, moved into the temporary folder; a file of docs/, copied there.
    /// </summary>
    private static string Moved(string argument, Dictionary<string, string> moved, TempFolder folder)
    {
        if (argument.StartsWith("docs/", StringComparison.Ordinal))
        {
            // A copy: a database opened for reading may still be written to (its journal).
            string copy = folder[Path.GetFileName(argument)];
            File.Copy(Path.Combine(SharedFixtures.RepositoryRoot, argument), copy, overwrite: true);
            return copy;
        }
        foreach ((string original, string temporary) in moved)
        {
            if (argument.TrimEnd('/') == original) return temporary;
            if (argument.StartsWith(original + "/", StringComparison.Ordinal))
                return Path.Combine(temporary, argument[(original.Length + 1)..]);
        }
        return argument;
    }

    /// <summary>
    /// Fewer scenes and composites; the photo evaluation on one share of the pictures, without its costliest
    /// measures.
    /// </summary>
    private static string[] Shrunk(string[] args)
    {
        var result = args.ToList();
        void Set(string option, string value)
        {
            int at = result.IndexOf(option);
            if (at >= 0) result[at + 1] = value;
            else result.AddRange([option, value]);
        }
        if (result.Contains("--scenes")) Set("--scenes", "2");
        if (result.Contains("--composites")) Set("--composites", "1");
        if (result[0] == "evaluate" && !result.Contains("--task"))
        {
            foreach (string flag in new[] { "--no-sanity", "--no-road", "--no-faithfulness", "--no-baseline" })
            {
                if (!result.Contains(flag)) result.Add(flag);
            }
            Set("--deletion-steps", "2");
            if (!result.Contains("--composites")) Set("--shard", "0/9");
        }
        return [.. result];
    }

    [GeneratedRegex(@"```bash\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex BashBlock();
}
