using System.Diagnostics;

namespace GradCamSharp.Cli.Tests;

/// <summary>
/// The repository's scripts and build, run the way a user runs them (on Linux, as the scripts are bash).
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class ScriptTests
{
    private static (int ExitCode, string Output) Run(string program, IEnumerable<string> arguments,
        IDictionary<string, string>? environment = null, string? workingDirectory = null)
    {
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = workingDirectory ?? SharedFixtures.RepositoryRoot,
        };
        foreach (string argument in arguments) start.ArgumentList.Add(argument);
        foreach ((string name, string value) in environment ?? new Dictionary<string, string>())
            start.Environment[name] = value;
        using Process process = Process.Start(start)!;
        Task<string> error = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output + error.Result);
    }

    [Fact]
    public void Build_PackageRootWithoutTrailingSlash_StillFindsTheFeaturizer()
    {
        // NUGET_PACKAGES=/some/dir (no slash) reaches the build as NuGetPackageRoot.
        (int code, string output) = Run("dotnet", ["msbuild", "src/GradCamSharp.Catalog/GradCamSharp.Catalog.csproj",
            "-getProperty:ResNet18FeaturizerRoot", "-p:NuGetPackageRoot=/some/dir"]);
        Assert.Equal(0, code);
        Assert.Equal("/some/dir/microsoft.ml.dnnimagefeaturizer.resnet18/0.23.1/", output.Trim());
    }

    [Fact]
    public void GradcamScript_RebuildsForSourceChanges_NotForBuildOutputs()
    {
        // A copy of the script in a fake repository, with a fake 'dotnet' that records how it was called.
        using var folder = new TempFolder();
        string root = folder["repo"];
        Directory.CreateDirectory(Path.Combine(root, "src", "Lib", "obj"));
        Directory.CreateDirectory(Path.Combine(root, ".build", "gradcam"));
        Directory.CreateDirectory(folder["bin"]);
        File.Copy(Path.Combine(SharedFixtures.RepositoryRoot, "gradcam"), Path.Combine(root, "gradcam"));
        string log = folder["calls.log"];
        File.WriteAllText(folder["bin/dotnet"], $"#!/bin/sh\necho \"$1\" >> '{log}'\n");
        File.SetUnixFileMode(folder["bin/dotnet"], UnixFileMode.UserRead | UnixFileMode.UserWrite |
            UnixFileMode.UserExecute);
        File.WriteAllText(Path.Combine(root, "src", "Lib", "Code.cs"), "class C {}");
        var environment = new Dictionary<string, string>
        {
            ["PATH"] = folder["bin"] + ":" + Environment.GetEnvironmentVariable("PATH"),
        };
        string script = Path.Combine(root, "gradcam");

        Assert.Equal(0, Run("bash", [script, "--help"], environment).ExitCode);   // no stamp yet: builds
        Assert.Equal("build", File.ReadLines(log).First());
        File.Delete(log);

        Thread.Sleep(1100);   // file times of one second's resolution must differ
        File.WriteAllText(Path.Combine(root, "src", "Lib", "obj", "project.assets.json"), "{}");
        File.WriteAllText(Path.Combine(root, "src", "Lib", "obj", "Generated.cs"), "class G {}");
        Assert.Equal(0, Run("bash", [script, "--help"], environment).ExitCode);
        Assert.DoesNotContain("build", File.ReadAllLines(log));   // only the run itself

        Thread.Sleep(1100);
        File.Delete(log);
        File.WriteAllText(Path.Combine(root, "src", "Lib", "Code.cs"), "class C { }");
        Assert.Equal(0, Run("bash", [script, "--help"], environment).ExitCode);
        Assert.Equal("build", File.ReadLines(log).First());
    }

    [Fact]
    public void SkippedConformanceTest_QuotesWhyTheInstallFailed()
    {
        using var folder = new TempFolder();
        Assert.Contains("install the Debian package libonnx-testdata",
            InstallLogs.SkipReason("libonnx-testdata", "the suite", folder["absent.log"]));
        File.WriteAllLines(folder["install.log"], ["Reading package lists...",
            "E: Could not get lock /var/lib/dpkg/lock-frontend. It is held by process 4242 (apt-get)", ""]);
        string reason = InstallLogs.SkipReason("libonnx-testdata", "the suite", folder["install.log"]);
        Assert.Contains("could not install libonnx-testdata", reason);
        Assert.Contains("It is held by process 4242", reason);
    }

    [Fact]
    public void InstallScript_AptFails_ShowsWhyAndKeepsTheLogForTheSkippedTest()
    {
        // A fake apt-get that finds the lock held, as when the machine updates itself at boot.
        using var folder = new TempFolder();
        Directory.CreateDirectory(folder["bin"]);
        File.WriteAllText(folder["bin/apt-get"], "#!/bin/sh\necho \"$@\" >> '" + folder["apt.log"] + "'\n" +
            "echo 'E: Could not get lock /var/lib/dpkg/lock-frontend. It is held by process 4242 (apt-get)' >&2\n" +
            "exit 100\n");
        File.SetUnixFileMode(folder["bin/apt-get"], UnixFileMode.UserRead | UnixFileMode.UserWrite |
            UnixFileMode.UserExecute);
        var environment = new Dictionary<string, string>
        {
            ["PATH"] = folder["bin"] + ":" + Environment.GetEnvironmentVariable("PATH"),
            ["INSTALL_LOGS"] = folder["logs"],
        };
        string script = Path.Combine(SharedFixtures.RepositoryRoot, "build", "install-debian-package");
        (int code, string output) = Run("bash", [script, "some-package", folder["absent"]], environment);
        Assert.Equal(0, code);
        Assert.Contains("could not install some-package", output);
        Assert.Contains("It is held by process 4242", output);
        Assert.Contains("DPkg::Lock::Timeout=300", File.ReadAllText(folder["apt.log"]));
        Assert.Contains("It is held by process 4242",
            InstallLogs.SkipReason("some-package", "it", Path.Combine(folder["logs"], "install-some-package.log")));

        // Present already: apt is not asked at all.
        File.Delete(folder["apt.log"]);
        Assert.Equal(0, Run("bash", [script, "some-package", folder["bin"]], environment).ExitCode);
        Assert.False(File.Exists(folder["apt.log"]));
    }
}
