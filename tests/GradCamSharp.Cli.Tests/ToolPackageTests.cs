using System.Text.Json;
using SkiaSharp;

namespace GradCamSharp.Cli.Tests;

/// <summary>
/// The command line as a .NET tool, installed as a user installs it: packed from the tree into a local feed,
/// <c>dotnet tool install</c>ed into a tool path of its own, and run on a shipped photo from outside the repository.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class ToolPackageTests
{
    [Fact]
    public void TheTool_InstallsFromAPackedFeed_AndExplainsAPhoto()
    {
        using var folder = new TempFolder();
        string feed = folder["feed"], tools = folder["tools"], work = folder["work"];
        // A version of its own, so that NuGet's cache never hands back an earlier run's package; the packages that
        // the install unpacks go to a cache of its own too, deleted with the folder.
        string version = $"0.9.0-tool.{DateTime.UtcNow:yyyyMMddHHmmss}{Environment.ProcessId}";
        var ownCache = new Dictionary<string, string> { ["NUGET_PACKAGES"] = folder["nuget"] };
        DotnetCommand.Run(SharedFixtures.RepositoryRoot, "pack", "src/GradCamSharp.Cli/GradCamSharp.Cli.csproj",
            "-c", "Release", "--nologo", "-v", "quiet", "-o", feed, $"-p:PackageVersion={version}");
        // The package users name, and the one for this platform that it points to (LibTorch's natives are per RID).
        Assert.True(File.Exists(Path.Combine(feed, $"GradCamSharp.Tool.{version}.nupkg")));
        Assert.True(File.Exists(Path.Combine(feed, $"GradCamSharp.Tool.linux-x64.{version}.nupkg")));

        string installed = DotnetCommand.RunProgram("dotnet", folder.Path, ownCache, "tool", "install",
            "GradCamSharp.Tool", "--tool-path", tools, "--add-source", feed, "--version", version);
        Assert.Contains("gradcam", installed);
        Directory.CreateDirectory(work);
        string gradcam = Path.Combine(tools, "gradcam");
        string photo = SharedFixtures.Sample("dog.jpg");
        DotnetCommand.RunProgram(gradcam, work, ownCache, "explain", photo, "--class", "dog", "--out", "out");

        // Relative paths are the caller's: the maps land in the working directory, not in the tool's folder.
        using JsonDocument manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(work, "out",
            "explanations.json")));
        JsonElement entry = Assert.Single(manifest.RootElement.EnumerateArray());
        Assert.Equal("dog", entry.GetProperty("class_label").GetString());
        using SKBitmap map = SKBitmap.Decode(Path.Combine(work, "out", entry.GetProperty("file").GetString()!));
        using SKBitmap original = SKBitmap.Decode(photo);
        Assert.Equal((original.Width, original.Height), (map.Width, map.Height));
        Assert.StartsWith("0.9.0", DotnetCommand.RunProgram(gradcam, work, ownCache, "--version").Trim());
    }
}
