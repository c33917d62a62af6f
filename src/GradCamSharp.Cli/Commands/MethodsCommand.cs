using System.CommandLine;
using GradCamSharp.Methods;

namespace GradCamSharp.Cli.Commands;

/// <summary>
/// <c>gradcam methods</c>: every method with what it computes, its paper and whether it back-propagates.
/// </summary>
public static class MethodsCommand
{
    internal static Command Create()
    {
        var command = CommandHelp.Create("methods", "List every explanation method with its paper", """
            List every method --method accepts, in the paper's order first: its name, what it computes, the paper it
            implements, and whether it needs gradients. 'all' asks for the paper's four maps (marked *); any CAM method
            also combines with Guided Backprop as guided-NAME (e.g. guided-scorecam).

            Example:
              gradcam methods
            """);
        command.SetAction(result => Run(result.InvocationConfiguration.Output));
        return command;
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
