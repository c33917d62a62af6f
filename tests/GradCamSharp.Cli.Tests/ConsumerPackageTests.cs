using System.Text.RegularExpressions;
using SkiaSharp;

namespace GradCamSharp.Cli.Tests;

/// <summary>
/// The getting-started page's program, built as a stranger builds it: against the packages packed from the tree into a
/// local feed, in a project outside the solution, and run on a shipped photo.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed partial class ConsumerPackageTests
{
    private static readonly string[] Packages = ["GradCamSharp", "GradCamSharp.Onnx", "GradCamSharp.Imaging"];

    [Fact]
    public void TheGettingStartedProgram_BuildsAgainstThePackedPackages_AndWritesTheOverlay()
    {
        using var folder = new TempFolder();
        string root = SharedFixtures.RepositoryRoot, feed = folder["feed"], app = folder["app"];
        // A version of its own, so that NuGet's cache never hands back an earlier run's packages.
        string version = $"0.9.0-consumer.{DateTime.UtcNow:yyyyMMddHHmmss}{Environment.ProcessId}";
        foreach (string package in Packages)
        {
            DotnetCommand.Run(root, "pack", $"src/{package}/{package}.csproj", "-c", "Release", "--no-build",
                "-o", feed, $"-p:PackageVersion={version}");
            Assert.True(File.Exists(Path.Combine(feed, $"{package}.{version}.nupkg")));
            Assert.True(File.Exists(Path.Combine(feed, $"{package}.{version}.snupkg")));
        }
        Directory.CreateDirectory(app);
        File.WriteAllText(Path.Combine(app, "nuget.config"), $"""
            <configuration>
              <packageSources><clear /><add key="feed" value="{feed}" /></packageSources>
            </configuration>
            """);
        File.WriteAllText(Path.Combine(app, "Explain.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <ImplicitUsings>enable</ImplicitUsings>
              </PropertyGroup>
              <ItemGroup>
                {References(version)}
                <PackageReference Include="libtorch-cpu-linux-x64" Version="2.10.0" />
                <PackageReference Include="SkiaSharp.NativeAssets.Linux.NoDependencies" Version="3.119.0" />
              </ItemGroup>
            </Project>
            """);
        string page = File.ReadAllText(Path.Combine(root, "docs", "getting-started.md"));
        File.WriteAllText(Path.Combine(app, "Program.cs"), Program().Match(page).Groups[1].Value);

        DotnetCommand.Run(app, "build", "-c", "Release", "--nologo", "-v", "quiet");
        string output = Path.Combine(app, "bin", "Release", "net10.0");
        string torchSharp = Path.Combine(output, "TorchSharp.dll");
        string model = SharedFixtures.RequireGunzipped("fixtures/onnx/resnet18.onnx.gz");
        string overlay = Path.Combine(folder.Path, "overlay.png");
        string printed = DotnetCommand.Run(app, Path.Combine(output, "Explain.dll"), model,
            SharedFixtures.Sample("dog.jpg"), overlay);

        Assert.Matches(@"^class \d+, score -?[\d.]+, layer \S+, peak \(\d+, \d+\)", printed);
        using SKBitmap written = SKBitmap.Decode(overlay);
        using SKBitmap photo = SKBitmap.Decode(SharedFixtures.Sample("dog.jpg"));
        Assert.Equal((photo.Width, photo.Height), (written.Width, written.Height));
        // The package's build files reach the consumer: its TorchSharp copy keeps native-call arguments alive.
        (int withBodies, int unmarked) = KeepAliveMarks.Count(torchSharp);
        Assert.True(withBodies > 5000, $"only {withBodies} methods with IL bodies");
        Assert.Equal(0, unmarked);
        // The patched copies keep the package files' times, so a second build neither copies nor patches them again.
        string rebuild = DotnetCommand.Run(app, "build", "-c", "Release", "--nologo", "-v", "normal");
        Assert.DoesNotContain($"\"{torchSharp}\"", rebuild);
        Assert.DoesNotContain("libLibTorchSharp.so\"", rebuild);
        Assert.DoesNotContain("Kept the arguments", rebuild);
        // The packages carry the licence and the metadata a consumer sees.
        using var nupkg = System.IO.Compression.ZipFile.OpenRead(Path.Combine(feed, $"GradCamSharp.{version}.nupkg"));
        using var nuspec = new StreamReader(nupkg.GetEntry("GradCamSharp.nuspec")!.Open());
        string nuspecText = nuspec.ReadToEnd();
        Assert.Contains("<license type=\"expression\">MIT</license>", nuspecText);
        Assert.Contains("<readme>README.md</readme>", nuspecText);
        Assert.NotNull(nupkg.GetEntry("LICENSE"));
        Assert.NotNull(nupkg.GetEntry("THIRD-PARTY-NOTICES.md"));
    }

    private static string References(string version) => string.Join("\n    ",
        Packages.Select(package => $"<PackageReference Include=\"{package}\" Version=\"{version}\" />"));

    [GeneratedRegex(@"<!-- program:begin -->\s*```csharp\n(.*?)```\s*<!-- program:end -->", RegexOptions.Singleline)]
    private static partial Regex Program();
}
