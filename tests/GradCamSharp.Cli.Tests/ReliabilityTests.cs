using System.Diagnostics;
using System.Text.Json;
using GradCamSharp.Imaging;
using GradCamSharp.Pipeline;
using SkiaSharp;

namespace GradCamSharp.Cli.Tests;

/// <summary>
/// The README's promises under hostile and careless use: one-line errors with the documented exit codes, bounded
/// memory on any image, and an output folder that is either the complete result of one run or untouched.
/// </summary>
public sealed class ReliabilityTests
{
    private const string Model = "resnet18";

    private static string Dog => Path.Combine(CliRun.Samples, "dog.jpg");

    private static JsonElement[] Manifest(string folder)
    {
        using JsonDocument document = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "explanations.json")));
        return document.RootElement.EnumerateArray().Select(e => e.Clone()).ToArray();
    }

    /// <summary>
    /// The folder holds exactly the manifest, the files it names, the record of what was written and the lock.
    /// </summary>
    private static void AssertFolderEqualsManifest(string folder)
    {
        var named = new HashSet<string>(StringComparer.Ordinal)
        {
            "explanations.json", StagedOutput.RecordName, StagedOutput.LockName,
        };
        foreach (JsonElement entry in Manifest(folder))
        {
            named.Add(entry.GetProperty("file").GetString()!);
            if (entry.TryGetProperty("panel", out JsonElement panel)) named.Add(panel.GetString()!);
        }
        string[] present = Directory.EnumerateFileSystemEntries(folder).Select(Path.GetFileName).Order().ToArray()!;
        Assert.Equal(named.Order(), present);
    }

    [Fact]
    public void Explain_DecompressionBomb_IsRefusedBeforeDecoding()
    {
        using var folder = new TempFolder();
        File.WriteAllBytes(folder["bomb.png"], HostileImages.PngBomb(20000, 20000));
        CliRun run = CliRun.Of("explain", folder["bomb.png"], "--model", Model, "--out", folder["out"]);
        Assert.Equal(ExitCodes.Input, run.ExitCode);
        Assert.Contains("20000x20000 pixels (400 megapixels), over the limit of 40 megapixels (--max-megapixels " +
            "raises it)", run.Error);
        Assert.False(Directory.Exists(folder["out"]));
    }

    [Fact]
    public void Explain_LargePhoto_IsDecodedDownscaledToTheOutputSize()
    {
        using var folder = new TempFolder();
        using (SKBitmap dog = ImageLoader.Load(Dog))
        using (SKBitmap large = ImagePreprocessor.Resize(dog, 8000, 6000))
            File.WriteAllBytes(folder["camera.jpg"], large.Encode(SKEncodedImageFormat.Jpeg, 90).ToArray());
        CliRun run = CliRun.Of("explain", folder["camera.jpg"], "--model", Model, "--out", folder["out"],
            "--method", "all");
        Assert.Equal(0, run.ExitCode);
        foreach (JsonElement entry in Manifest(folder["out"]))
        {
            using SKBitmap map = SKBitmap.Decode(Path.Combine(folder["out"], entry.GetProperty("file").GetString()!));
            Assert.Equal((2048, 1536), (map.Width, map.Height));
            Assert.Equal(0.256, entry.GetProperty("scale").GetDouble(), 3);
            Assert.InRange(entry.GetProperty("peak")[0].GetInt32(), 0, 2047);
        }
        CliRun small = CliRun.Of("explain", folder["camera.jpg"], "--model", Model, "--out", folder["small"],
            "--output-size", "800");
        Assert.Equal(0, small.ExitCode);
        using (SKBitmap map = SKBitmap.Decode(Path.Combine(folder["small"],
            Manifest(folder["small"])[0].GetProperty("file").GetString()!)))
            Assert.Equal((800, 600), (map.Width, map.Height));
        CliRun bad = CliRun.Of("explain", Dog, "--model", Model, "--out", folder["bad"], "--output-size", "0");
        Assert.Equal(ExitCodes.Usage, bad.ExitCode);
    }

    [Fact]
    public void Explain_TruncatedPhoto_IsUnreadable_UnlessPartialImagesAreAllowed()
    {
        using var folder = new TempFolder();
        File.WriteAllBytes(folder["half.jpg"], HostileImages.Truncated(File.ReadAllBytes(Dog)));
        CliRun refused = CliRun.Of("explain", folder["half.jpg"], "--model", Model, "--out", folder["out"]);
        Assert.Equal(ExitCodes.Input, refused.ExitCode);
        Assert.Contains("'" + folder["half.jpg"] + "' is truncated", refused.Error);
        Assert.Contains("--allow-partial", refused.Error);
        Assert.False(Directory.Exists(folder["out"]));
        CliRun accepted = CliRun.Of("explain", folder["half.jpg"], "--model", Model, "--out", folder["out"],
            "--allow-partial");
        Assert.Equal(0, accepted.ExitCode);
    }

    [Fact]
    public void Explain_RepeatedClassesAndPhotos_AreExplainedOnce_WithUniqueNames()
    {
        using var folder = new TempFolder();
        Directory.CreateDirectory(folder["a"]);
        Directory.CreateDirectory(folder["b"]);
        File.Copy(Dog, folder["a/dog.jpg"]);
        using (SKBitmap dog = ImageLoader.Load(Dog))
            File.WriteAllBytes(folder["b/dog.png"], dog.Encode(SKEncodedImageFormat.Png, 100).ToArray());

        CliRun classes = CliRun.Of("explain", Dog, Dog, "--class", "dog", "--class", "dog", "--class", "0",
            "--class", "Dog", "--out", folder["classes"], "--method", "gradcam", "--method", "counterfactual");
        Assert.Equal(0, classes.ExitCode);
        Assert.Equal(2, Manifest(folder["classes"]).Length);
        AssertFolderEqualsManifest(folder["classes"]);

        CliRun stems = CliRun.Of("explain", folder["a/dog.jpg"], folder["b/dog.png"], "--model", Model, "--out",
            folder["stems"], "--method", "all");
        Assert.Equal(0, stems.ExitCode);
        JsonElement[] entries = Manifest(folder["stems"]);
        Assert.Equal(8, entries.Length);
        Assert.Equal(8, entries.Select(e => e.GetProperty("file").GetString()).Distinct().Count());
        Assert.Contains(entries,
            e => e.GetProperty("file").GetString()!.StartsWith("dog-jpg_", StringComparison.Ordinal));
        Assert.Contains(entries,
            e => e.GetProperty("file").GetString()!.StartsWith("dog-png_", StringComparison.Ordinal));
        AssertFolderEqualsManifest(folder["stems"]);
    }

    [Fact]
    public void Explain_SecondRunIntoTheSameFolder_ReplacesTheFirst_AndForeignFilesNeedOverwrite()
    {
        using var folder = new TempFolder();
        string output = folder["out"];
        Assert.Equal(0, CliRun.Of("explain", Dog, "--model", Model, "--out", output, "--method", "all").ExitCode);
        Assert.Equal(4, Manifest(output).Length);
        Assert.Equal(0, CliRun.Of("explain", Dog, "--model", Model, "--out", output, "--colormap", "viridis")
            .ExitCode);
        Assert.Single(Manifest(output));
        AssertFolderEqualsManifest(output);

        File.WriteAllText(Path.Combine(output, "notes.txt"), "mine");
        CliRun refused = CliRun.Of("explain", Dog, "--model", Model, "--out", output);
        Assert.Equal(ExitCodes.Output, refused.ExitCode);
        Assert.Contains("holds 'notes.txt', which gradcam did not write", refused.Error);
        Assert.Contains("--overwrite", refused.Error);
        CliRun overwritten = CliRun.Of("explain", Dog, "--model", Model, "--out", output, "--overwrite");
        Assert.Equal(0, overwritten.ExitCode);
        Assert.Equal("mine", File.ReadAllText(Path.Combine(output, "notes.txt")));
    }

    [Fact]
    public void Explain_Cancelled_ExitsWith130_AndLeavesNoFolder()
    {
        using var folder = new TempFolder();
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        var output = new StringWriter();
        var error = new StringWriter();
        int code = GradCamCli.Run(["explain", Dog, "--model", Model, "--out", folder["out"]], output, error,
            cancelled.Token);
        Assert.Equal(ExitCodes.Cancelled, code);
        Assert.Contains("cancelled; nothing was written", error.ToString());
        Assert.False(Directory.Exists(folder["out"]));
    }

    [Theory]
    [InlineData("train-head", "head.json", "--composites", "16", "--crops", "16", "--steps", "5")]
    [InlineData("train", "captioner.json", "captioner", "--world", "shapes", "--scenes", "20", "--epochs", "1")]
    public void Training_Cancelled_ExitsWith130_AndWritesNothing(string command, string file, params string[] options)
    {
        using var folder = new TempFolder();
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        var error = new StringWriter();
        int code = GradCamCli.Run([command, .. options, "--out", folder[file]], new StringWriter(), error,
            cancelled.Token);
        Assert.Equal(ExitCodes.Cancelled, code);
        Assert.Contains("cancelled", error.ToString());
        Assert.Empty(Directory.GetFileSystemEntries(folder.Path));
    }

    [Fact]
    public void Explain_InterruptedByCtrlC_RemovesItsStaging_AndExitsWith130()
    {
        using var folder = new TempFolder();
        using LongExplain run = LongExplain.Start(folder);
        Assert.NotEmpty(Directory.GetDirectories(folder["out"], ".gradcam-staging-*"));
        run.Signal("-INT");
        Assert.True(run.Process.WaitForExit(TimeSpan.FromMinutes(1)), "Ctrl-C did not stop the run");
        run.Process.WaitForExit();
        Assert.Equal(ExitCodes.Cancelled, run.Process.ExitCode);
        Assert.Contains("cancelled; nothing was written", run.Error);
        Assert.False(Directory.Exists(folder["out"]), "the interrupted run left its output folder");
    }

    [Fact]
    public void Explain_SignalledTwice_EndsAtOnceWith130_AndTheNextRunClearsItsStaging()
    {
        using var folder = new TempFolder();
        using (LongExplain run = LongExplain.Start(folder))
        {
            // The second signal comes while the first is still being acted on (the photo's batch under way). It once
            // took the runtime's own shutdown, whose exit tore LibTorch down under that batch: exit 139.
            run.Signal("-TERM", "-TERM");
            Assert.True(run.Process.WaitForExit(TimeSpan.FromMinutes(1)), "two signals did not stop the run");
            run.Process.WaitForExit();
            Assert.Equal(ExitCodes.Cancelled, run.Process.ExitCode);
            Assert.Contains("gradcam: stopped at once", run.Error);
            Assert.DoesNotContain("failed", run.Error);
        }
        Assert.Equal(0, CliRun.Of("explain", Dog, "--model", Model, "--out", folder["out"]).ExitCode);
        AssertFolderEqualsManifest(folder["out"]);
    }

    /// <summary>
    /// An explain run of every method over so many photos (links to one) that it cannot end before it is signalled,
    /// however late this process reads its progress and however busy the machine (with forty, a run once finished
    /// first): started, and waited for until its second photo is under way.
    /// </summary>
    private sealed class LongExplain : IDisposable
    {
        private readonly System.Text.StringBuilder _error = new();
        private readonly ManualResetEventSlim _secondPhoto = new();

        private LongExplain(Process process) => Process = process;

        public Process Process { get; }

        public string Error
        {
            get
            {
                lock (_error) return _error.ToString();
            }
        }

        public static LongExplain Start(TempFolder folder)
        {
            string[] photos = Enumerable.Range(0, 2000).Select(i => folder[$"photo{i:D4}.jpg"]).ToArray();
            foreach (string photo in photos) File.CreateSymbolicLink(photo, Dog);
            string cli = Path.Combine(AppContext.BaseDirectory, "gradcam.dll");
            var start = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true };
            foreach (string argument in new[] { cli, "explain", "--model", Model, "--method", "all", "--out",
                folder["out"] }.Concat(photos))
                start.ArgumentList.Add(argument);
            var run = new LongExplain(Process.Start(start)!);
            run.Process.ErrorDataReceived += (_, line) =>
            {
                lock (run._error) run._error.AppendLine(line.Data);
                if (line.Data?.StartsWith("[2/", StringComparison.Ordinal) == true) run._secondPhoto.Set();
            };
            run.Process.BeginErrorReadLine();
            if (!run._secondPhoto.Wait(TimeSpan.FromMinutes(2)))
            {
                run.Dispose();
                Assert.Fail("the run did not start: " + run.Error);
            }
            return run;
        }

        /// <summary>Sends each signal, one <c>kill</c> after the other.</summary>
        public void Signal(params string[] signals)
        {
            foreach (string signal in signals)
            {
                using Process kill = Process.Start("kill",
                    [signal, Process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!;
                kill.WaitForExit();
            }
        }

        public void Dispose()
        {
            if (!Process.HasExited) Process.Kill();
            Process.WaitForExit();
            Process.Dispose();
            _secondPhoto.Dispose();
        }
    }

    [Fact]
    public void Explain_StagingFolderOfADeadProcess_IsRemoved()
    {
        using var folder = new TempFolder();
        int deadProcess;
        using (Process exited = Process.Start("true")!)
        {
            exited.WaitForExit();
            deadProcess = exited.Id;
        }
        string stale = Path.Combine(folder["out"], $".gradcam-staging-{deadProcess}-0123456789abcdef");
        Directory.CreateDirectory(stale);
        File.WriteAllText(Path.Combine(stale, "dog_gradcam.png"), "partial");
        Assert.Equal(0, CliRun.Of("explain", Dog, "--model", Model, "--out", folder["out"]).ExitCode);
        Assert.False(Directory.Exists(stale));
        AssertFolderEqualsManifest(folder["out"]);
    }

    [Fact]
    public void BadValues_GetTheDocumentedExitCodes_AndReadableMessages()
    {
        using var folder = new TempFolder();
        File.WriteAllText(folder["weights.pth"], "not really");
        CliRun arch = CliRun.Of("explain", Dog, "--model", folder["weights.pth"], "--arch", "vgg99");
        Assert.Equal(ExitCodes.Usage, arch.ExitCode);
        Assert.Contains("unknown --arch 'vgg99'", arch.Error);
        CliRun archMissingFile = CliRun.Of("explain", Dog, "--model", folder["absent.pth"], "--arch", "vgg99");
        Assert.Equal(ExitCodes.Usage, archMissingFile.ExitCode);

        // A folder is a dataset, and one without photos is an unreadable input.
        CliRun directory = CliRun.Of("explain", folder.Path, "--model", Model, "--out", folder["out"]);
        Assert.Equal(ExitCodes.Input, directory.ExitCode);
        Assert.Contains("holds no photos (1 other file", directory.Error);

        CliRun box = CliRun.Of("explain", Dog, "--concept", $"horse={Dog}#5000,5000,6000,6000", "--out",
            folder["out"]);
        Assert.Equal(ExitCodes.Usage, box.ExitCode);
        Assert.Contains("box 5000,5000,6000,6000 reaches outside", box.Error);
        Assert.Contains("768x576 pixels", box.Error);
        Assert.DoesNotContain("Box {", box.Error);

        foreach (string[] empty in new[] { new[] { "--class", "" }, ["--model", ""], ["--out", " "],
            ["--concept", ""], ["--concept", "=x.jpg"] })
        {
            CliRun run = CliRun.Of(["explain", Dog, .. empty]);
            Assert.Equal(ExitCodes.Usage, run.ExitCode);
            Assert.DoesNotContain("internal error", run.Error);
        }

        CliRun help = CliRun.Of("bench", "--help");
        Assert.Contains("at least 10", help.Output);
    }

    [Fact]
    public void GuidedMaps_PeakLiesInsideTheirBox_AndTheBoxIsNotASpeck()
    {
        using var folder = new TempFolder();
        CliRun run = CliRun.Of("explain", Dog, "--class", "dog", "--method", "guided-backprop", "--method",
            "guided-gradcam", "--out", folder.Path);
        Assert.Equal(0, run.ExitCode);
        foreach (JsonElement entry in Manifest(folder.Path))
        {
            int[] peak = entry.GetProperty("peak").EnumerateArray().Select(v => v.GetInt32()).ToArray();
            int[] box = entry.GetProperty("box").EnumerateArray().Select(v => v.GetInt32()).ToArray();
            string method = entry.GetProperty("method").GetString()!;
            Assert.True(peak[0] >= box[0] && peak[0] < box[2] && peak[1] >= box[1] && peak[1] < box[3],
                $"{method}: peak ({peak[0]}, {peak[1]}) outside its box [{string.Join(", ", box)}]");
            double share = (box[2] - box[0]) * (double)(box[3] - box[1]) / (768 * 576);
            Assert.True(share > 0.02, $"{method}: a box of {share:P1} of the photo");
        }
    }

    [Fact]
    public void TwoRunsIntoOneFolder_TheSecondIsRefused_WhileTheFirstWrites()
    {
        using var folder = new TempFolder();
        Directory.CreateDirectory(folder["out"]);
        // What a running explain holds: the folder's lock (an exclusive file lock, as across processes).
        using (new FileStream(Path.Combine(folder["out"], StagedOutput.LockName), FileMode.OpenOrCreate,
            FileAccess.ReadWrite, FileShare.None))
        {
            CliRun second = CliRun.Of("explain", Dog, "--model", Model, "--out", folder["out"]);
            Assert.Equal(ExitCodes.Output, second.ExitCode);
            Assert.Contains("being written by another gradcam run", second.Error);
        }
        CliRun after = CliRun.Of("explain", Dog, "--model", Model, "--out", folder["out"]);
        Assert.Equal(0, after.ExitCode);
        AssertFolderEqualsManifest(folder["out"]);
    }

    [Fact]
    public void AFileNameWithANewline_IsQuotedWhole_AndNeverInAnOutputName()
    {
        using var folder = new TempFolder();
        string strange = folder["dog\nFAKE: done.jpg".Replace("\\n", "\n", StringComparison.Ordinal)];
        File.Copy(Dog, strange);
        string missing = folder["gone\nnot really.jpg".Replace("\\n", "\n", StringComparison.Ordinal)];

        CliRun refused = CliRun.Of("explain", missing, "--model", Model, "--out", folder["a"]);
        CliRun run = CliRun.Of("explain", strange, "--model", Model, "--out", folder["b"]);

        Assert.Equal(ExitCodes.Input, refused.ExitCode);
        string line = Assert.Single(refused.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("gone\\nnot really.jpg", line);
        Assert.Equal(0, run.ExitCode);
        Assert.All(Directory.EnumerateFileSystemEntries(folder["b"]), f =>
            Assert.DoesNotContain('\n', Path.GetFileName(f)));
        Assert.Contains(Directory.EnumerateFiles(folder["b"]), f => Path.GetFileName(f).StartsWith("dog_FAKE: done_",
            StringComparison.Ordinal));
    }

    [SkippableFact]
    public void AFullDisk_IsAnOutputError_AndLeavesNothingBehind()
    {
        // A 512 KB file system of the test's own, in a mount namespace (root, or an unprivileged user namespace).
        Skip.IfNot(OperatingSystem.IsLinux() && File.Exists("/usr/bin/unshare"), "needs unshare (util-linux)");
        using var folder = new TempFolder();
        string small = folder["small"];
        Directory.CreateDirectory(small);
        string gradcam = Path.Combine(AppContext.BaseDirectory, "gradcam.dll");
        var start = new ProcessStartInfo("/usr/bin/unshare")
        {
            RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false,
        };
        foreach (string arg in (string[])["-rm", "sh", "-c", "mount -t tmpfs -o size=512k tmpfs \"$0\" || exit 97; " +
            "exec dotnet \"$1\" explain \"$2\" --model \"$3\" --method all --out \"$0/out\"; ", small, gradcam,
            Dog, Model])
        {
            start.ArgumentList.Add(arg);
        }
        using Process process = Process.Start(start)!;
        string error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Skip.If(process.ExitCode == 97 || error.Contains("unshare:", StringComparison.Ordinal),
            $"cannot mount a small file system here: {error}");

        Assert.True(process.ExitCode == ExitCodes.Output, $"exit {process.ExitCode}: {error}");
        Assert.Contains("No space left on device", error);
        Assert.DoesNotContain("internal error", error);
    }
}
