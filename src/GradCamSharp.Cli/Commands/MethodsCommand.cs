using System.CommandLine;
using GradCamSharp.Methods;

namespace GradCamSharp.Cli.Commands;

/// <summary>
/// <c>gradcam methods</c>: every method with what it computes, its paper and whether it back-propagates.
/// </summary>
internal static class MethodsCommand
{
    internal static Command Create() =>
        CommandHelp.Listing("methods", "List every explanation method with its paper", """
            List every method --method accepts, in the paper's order first: its name, what it computes, the paper it
            implements, and whether it needs gradients. 'all' asks for the paper's four maps (marked *); any CAM method
            also combines with Guided Backprop as guided-NAME (e.g. guided-scorecam).

            Examples:
              gradcam methods
              gradcam methods --markdown   # the README's table
            """, Run, MarkdownTable);

    /// <summary>The registry as the README's method table.</summary>
    public static string MarkdownTable()
    {
        var table = new System.Text.StringBuilder();
        table.AppendLine("| `--method` | method | what it computes | paper | needs |");
        table.AppendLine("|---|---|---|---|---|");
        foreach (MethodDescriptor method in KnownMethods.Registered)
        {
            string needs = (method.PerturbsInputs, method.NeedsGradients) switch
            {
                (true, true) => "gradients of perturbed inputs",
                (true, false) => "forwards of perturbed inputs",
                (false, true) => "gradients",
                (false, false) => "forward only",
            };
            string name = method.InAll ? $"`{method.Name}` *" : $"`{method.Name}`";
            table.AppendLine("| " + string.Join(" | ", name, method.Title, method.Summary, method.Paper, needs) + " |");
        }
        table.AppendLine("| `guided-NAME` | Guided NAME | Guided Backprop times the map of the CAM method NAME | | |");
        return table.ToString();
    }

    /// <summary>Prints the table; returns the exit code.</summary>
    public static int Run(TextWriter output)
    {
        int width = KnownMethods.Names.Max(n => n.Length);
        foreach (MethodDescriptor method in KnownMethods.Registered)
        {
            string gradients = method.NeedsGradients ? "gradients" : "forward only";
            output.WriteLine($"{(method.InAll ? "*" : " ")} {method.Name.PadRight(width)}  {method.Title}: " +
                $"{method.Summary}");
            output.WriteLine($"  {"".PadRight(width)}  {method.Paper}; {gradients}");
        }
        output.WriteLine($"  {"guided-NAME".PadRight(width)}  Guided Backprop times the map of the CAM method NAME");
        return ExitCodes.Success;
    }
}
