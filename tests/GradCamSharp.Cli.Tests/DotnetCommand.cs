using System.Diagnostics;

namespace GradCamSharp.Cli.Tests;

/// <summary>A <c>dotnet</c> command (or another program) run as a user runs it, failing the test on a non-zero exit.
/// </summary>
internal static class DotnetCommand
{
    /// <summary>Runs <c>dotnet</c> with <paramref name="arguments"/> and returns what it printed.</summary>
    public static string Run(string workingDirectory, params string[] arguments) =>
        RunProgram("dotnet", workingDirectory, new Dictionary<string, string>(), arguments);

    /// <summary>Runs <paramref name="program"/> with <paramref name="environment"/> added to this process's.</summary>
    public static string RunProgram(string program, string workingDirectory,
        IReadOnlyDictionary<string, string> environment, params string[] arguments)
    {
        var start = new ProcessStartInfo(program)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (string argument in arguments) start.ArgumentList.Add(argument);
        // The outer test run's MSBuild settings must not leak into the builds these commands make.
        foreach (string name in new[] { "MSBuildExtensionsPath", "MSBuildSDKsPath", "MSBUILD_EXE_PATH" })
            start.Environment.Remove(name);
        foreach ((string name, string value) in environment) start.Environment[name] = value;
        using Process process = Process.Start(start)!;
        Task<string> error = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0,
            $"{program} {string.Join(' ', arguments)} exited {process.ExitCode}: {output}{error.Result}");
        return output + error.Result;
    }
}
