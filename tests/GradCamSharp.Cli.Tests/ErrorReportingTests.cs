namespace GradCamSharp.Cli.Tests;

/// <summary>
/// Exit codes follow what went wrong, reported once, in one line; GRADCAM_DEBUG=1 adds the stack trace.
/// </summary>
public sealed class ErrorReportingTests
{
    [Fact]
    public void UsageErrors_InputErrorsAndProgrammingErrors_GetTheirOwnCodes()
    {
        var error = new StringWriter();
        Assert.Equal(ExitCodes.Usage, Failures.Report(new UsageException("unknown class 'x'"), error));
        Assert.Equal(ExitCodes.Input, Failures.Report(new UnreadableInputException("image 'a.jpg' not found"), error));
        // A programming error is not the user's fault, whatever its .NET type.
        Assert.Equal(ExitCodes.Failure, Failures.Report(new ArgumentNullException("input"), error));
        Assert.Equal(ExitCodes.Failure, Failures.Report(new NotSupportedException("oops"), error));
        Assert.Contains("gradcam: internal error: ArgumentNullException", error.ToString());
    }

    [Fact]
    public void DebugVariable_AddsTheStackTrace()
    {
        var quiet = new StringWriter();
        Failures.Report(new InvalidOperationException("boom"), quiet);
        Assert.DoesNotContain("   at ", quiet.ToString());
        try
        {
            Environment.SetEnvironmentVariable(Failures.DebugVariable, "1");
            var verbose = new StringWriter();
            try
            {
                throw new InvalidOperationException("boom");
            }
            catch (InvalidOperationException exception)
            {
                Failures.Report(exception, verbose);
            }
            Assert.Contains("   at ", verbose.ToString());
        }
        finally
        {
            Environment.SetEnvironmentVariable(Failures.DebugVariable, null);
        }
    }

    [Fact]
    public void ClassNames_ResolveExactlyOrByWholeWord_AndAmbiguityIsRefused()
    {
        using var folder = new TempFolder();
        string dog = SharedFixtures.Sample("dog.jpg");
        // ImageNet has no class "dog" but many labels with the word: refuse, listing some, instead of "dogsled".
        CliRun ambiguous = CliRun.Of("explain", dog, "--model", "resnet18", "--class", "dog", "--out", folder["a"]);
        Assert.Equal(ExitCodes.Usage, ambiguous.ExitCode);
        Assert.Contains("ambiguous", ambiguous.Error);
        Assert.DoesNotContain("dogsled", ambiguous.Error);
        CliRun exact = CliRun.Of("explain", dog, "--model", "resnet18", "--class", "tabby", "--out", folder["b"]);
        Assert.Equal(0, exact.ExitCode);
        Assert.Contains("tabby (class 281)", exact.Error);
    }
}
