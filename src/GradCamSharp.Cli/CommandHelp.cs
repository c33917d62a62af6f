using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;

namespace GradCamSharp.Cli;

/// <summary>
/// Keeps each command's one-line description for the command list and shows its longer text and examples only in
/// its own <c>--help</c>, after the usage and options.
/// </summary>
internal static class CommandHelp
{
    private static readonly Dictionary<Command, string> Details = [];

    /// <summary>
    /// A command with a one-line <paramref name="summary"/> and <paramref name="details"/> for its own help.
    /// </summary>
    public static Command Create(string name, string summary, string details)
    {
        var command = new Command(name, summary);
        Details[command] = details;
        return command;
    }

    /// <summary>
    /// A command that lists a registry: as text, or with <c>--markdown</c> as the table the README holds.
    /// </summary>
    public static Command Listing(string name, string summary, string details, Func<TextWriter, int> print,
        Func<string> markdown)
    {
        Command command = Create(name, summary, details);
        var asMarkdown = new Option<bool>("--markdown")
        {
            Description = "Print the list as a Markdown table, as the README has it",
        };
        command.Add(asMarkdown);
        command.SetAction(result =>
        {
            TextWriter output = result.InvocationConfiguration.Output;
            if (!result.GetValue(asMarkdown)) return print(output);
            output.Write(markdown());
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>Wraps the root's help action so that a command's help ends with its details.</summary>
    public static void Install(RootCommand root)
    {
        foreach (HelpOption option in root.Options.OfType<HelpOption>())
        {

            if (option.Action is HelpAction standard) option.Action = new HelpWithDetails(standard);
        }
    }

    private sealed class HelpWithDetails(HelpAction standard) : SynchronousCommandLineAction
    {
        /// <summary>Like the standard help: asking for help is never a usage error.</summary>
        public override bool ClearsParseErrors => true;

        public override int Invoke(ParseResult parseResult)
        {
            int code = standard.Invoke(parseResult);
            if (Details.TryGetValue(parseResult.CommandResult.Command, out string? details))
            {
                TextWriter output = parseResult.InvocationConfiguration.Output;
                output.WriteLine("Details:");
                foreach (string line in details.TrimEnd().Split('\n'))
                    output.WriteLine(line.Length > 0 ? "  " + line : "");
                output.WriteLine();
            }
            return code;
        }
    }
}
