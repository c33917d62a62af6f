namespace GradCamSharp.Cli.Tests;

/// <summary>Runs the gradcam command in-process and captures what it prints.</summary>
internal sealed record CliRun(int ExitCode, string Output, string Error)
{
    public static CliRun Of(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = GradCamCli.Run(args, output, error);
        return new CliRun(code, output.ToString(), error.ToString());
    }

    public static string Samples => SharedFixtures.Samples;

    public static string RepositoryRoot => SharedFixtures.RepositoryRoot;
}
