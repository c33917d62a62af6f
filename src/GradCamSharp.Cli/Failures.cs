using GradCamSharp.Imaging;
using GradCamSharp.Runtime;

namespace GradCamSharp.Cli;

/// <summary>Turns an exception into one line on standard error and an exit code: users see no stack traces.</summary>
internal static class Failures
{
    public static int Report(Exception exception, TextWriter error)
    {
        (int code, string message) = exception switch
        {
            ImageLoadException or ModelLoadException => (ExitCodes.Input, exception.Message),
            OutputException => (ExitCodes.Output, exception.Message),
            ArgumentException => (ExitCodes.Usage, exception.Message),
            NotSupportedException => (ExitCodes.Input, exception.Message),
            _ => (ExitCodes.Failure, $"internal error: {exception.GetType().Name}: {exception.Message}"),
        };
        error.WriteLine($"gradcam: {FirstLine(message)}");
        return code;
    }

    private static string FirstLine(string message)
    {
        // ArgumentException appends " (Parameter 'x')", which says nothing to a command-line user.
        string line = message.Split('\n')[0].TrimEnd();
        int parameter = line.LastIndexOf(" (Parameter '", StringComparison.Ordinal);
        return parameter > 0 ? line[..parameter] : line;
    }
}
