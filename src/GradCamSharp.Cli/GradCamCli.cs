using System.CommandLine;
using GradCamSharp.Cli.Commands;

namespace GradCamSharp.Cli;

/// <summary>Builds the <c>gradcam</c> command tree and runs it, reporting every failure in one place.</summary>
internal static class GradCamCli
{
    /// <summary>The root command with every subcommand.</summary>
    public static RootCommand Build()
    {
        var root = new RootCommand($"""
            gradcam: visual explanations for deep vision models (Grad-CAM, Guided Backprop, Guided Grad-CAM,
            counterfactual maps and the CAM family), after Selvaraju et al., "Grad-CAM: Visual Explanations from Deep
            Networks via Gradient-based Localization".

            {ExitCodes.Help}
            """);
        root.Add(ExplainCommand.Create());
        root.Add(DetectCommand.Create());
        root.Add(MergeCommand.Create());
        root.Add(LayersCommand.Create());
        root.Add(MethodsCommand.Create());
        root.Add(ModelsCommand.Create());
        root.Add(VerifyCommand.Create());
        root.Add(ExportCommand.Create());
        root.Add(BenchCommand.Create());
        root.Add(EvaluateCommand.Create());
        root.Add(ConceptsCommand.Create());
        root.Add(TrainHeadCommand.Create());
        root.Add(ScenesCommand.Create());
        root.Add(TrainCommand.Create());
        root.Add(CaptionCommand.Create());
        root.Add(VqaCommand.Create());
        root.Add(ReadCommand.Create());
        root.Add(ServeCommand.Create());
        root.Add(StudyResultsCommand.Create());
        CommandHelp.Install(root);
        return root;
    }

    /// <summary>
    /// Parses and runs <paramref name="args"/>: parse errors print one line each and exit with
    /// <see cref="ExitCodes.Usage"/>; any exception a command throws becomes one line and its exit code.
    /// </summary>
    /// <param name="args">The command line.</param>
    /// <param name="output">Standard output.</param>
    /// <param name="error">Standard error.</param>
    /// <param name="cancellationToken">Stops a running command (Ctrl-C): it exits with
    /// <see cref="ExitCodes.Cancelled"/> and leaves nothing half-written.</param>
    public static int Run(string[] args, TextWriter output, TextWriter error,
        CancellationToken cancellationToken = default)
    {
        ParseResult result = Build().Parse(args);
        if (result.Errors.Count > 0)
        {
            foreach (var parseError in result.Errors) error.WriteLine($"gradcam: {parseError.Message}");
            error.WriteLine("Try 'gradcam --help'.");
            return ExitCodes.Usage;
        }
        try
        {
            // Signals are handled by the caller (see Interruption), which owns the token.
            var configuration = new InvocationConfiguration
            {
                Output = output, Error = error, EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = null,
            };
            int code = result.InvokeAsync(configuration, cancellationToken).GetAwaiter().GetResult();
            if (code == ExitCodes.Success && cancellationToken.IsCancellationRequested)
            {
                // The signal came after the last check, while the output was published whole: say so, keep it.
                error.WriteLine("gradcam: interrupted after the output was complete; it was kept");
            }
            return code;
        }
        catch (Exception exception)
        {
            return Failures.Report(exception, error);
        }
    }
}
