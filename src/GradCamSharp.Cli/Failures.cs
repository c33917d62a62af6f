using GradCamSharp.Imaging;
using GradCamSharp.Pipeline;

namespace GradCamSharp.Cli;

/// <summary>
/// Turns an exception into one line on standard error and an exit code, by what it means rather than by its .NET
/// type: users see no stack trace unless GRADCAM_DEBUG=1.
/// </summary>
internal static class Failures
{
    /// <summary>The environment variable that adds the stack trace to every error.</summary>
    public const string DebugVariable = "GRADCAM_DEBUG";

    /// <summary>errno values that mean the output cannot be written: no space, over quota, file too large, a
    /// read-only file system (.NET gives them as the IOException's HResult on Unix).</summary>
    private static readonly int[] OutputErrors = [28, 122, 27, 30];

    public static int Report(Exception exception, TextWriter error)
    {
        (int code, string message) = Classify(exception);
        error.WriteLine($"gradcam: {message}");
        if (Environment.GetEnvironmentVariable(DebugVariable) == "1") error.WriteLine(exception);
        return code;
    }

    /// <summary>
    /// The exit code and the one-line message of <paramref name="exception"/>: what <see cref="Report"/> prints, and
    /// what a dataset run records for a photo that failed.
    /// </summary>
    public static (int ExitCode, string Message) Classify(Exception exception)
    {
        (int code, string message) = exception switch
        {
            UsageException => (ExitCodes.Usage, OneLine(exception.Message)),
            ImageLoadException { Failure: ImageLoadFailure.Truncated } =>
                (ExitCodes.Input, $"{OneLine(exception.Message)} (--allow-partial accepts it)"),
            ImageLoadException { Failure: ImageLoadFailure.OverPixelLimit } =>
                (ExitCodes.Input, $"{OneLine(exception.Message)} (--max-megapixels raises it)"),
            UnreadableInputException => (ExitCodes.Input, OneLine(exception.Message)),
            OutputException => (ExitCodes.Output, OneLine(exception.Message)),
            IOException when OutputErrors.Contains(exception.HResult) =>
                (ExitCodes.Output, $"cannot write the output: {OneLine(exception.Message)}"),
            OperationCanceledException => (ExitCodes.Cancelled, "cancelled; nothing was written"),
            _ when LibTorchLoadFailure.Matches(exception) => (ExitCodes.Failure, LibTorchLoadFailure.Fix),
            _ => (ExitCodes.Failure, $"internal error: {exception.GetType().Name}: {exception.Message}"),
        };
        return (code, FirstLine(message));
    }

    /// <summary>
    /// Our own messages in one line, whole: a control character from a name they quote (a file name with a newline)
    /// is escaped instead of cutting the message short.
    /// </summary>
    private static string OneLine(string message) => PrintableText.OneLine(message);

    private static string FirstLine(string message)
    {
        // ArgumentException appends " (Parameter 'x')", which says nothing to a command-line user.
        string line = message.Split('\n')[0].TrimEnd();
        int parameter = line.LastIndexOf(" (Parameter '", StringComparison.Ordinal);
        return parameter > 0 ? line[..parameter] : line;
    }
}
