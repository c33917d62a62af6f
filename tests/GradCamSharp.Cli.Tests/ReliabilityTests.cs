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
        // So many photos (links to one) that the run cannot end, however late this process reads its progress and
        // however busy the machine: with forty, a run once finished before the signal came (exit 0, all written).
        string[] photos = Enumerable.Range(0, 2000).Select(i => folder[$"photo{i:D4}.jpg"]).ToArray();
        foreach (string photo in photos) File.CreateSymbolicLink(photo, Dog);
        using CliProcess run = CliProcess.Start(
            ["explain", "--model", Model, "--method", "all", "--out", folder["out"], .. photos], "[2/");
        Assert.NotEmpty(Directory.GetDirectories(folder["out"], ".gradcam-staging-*"));
        run.Signal("-INT");
        Assert.Equal(ExitCodes.Cancelled, run.Exit("Ctrl-C did not stop the run"));
        Assert.Contains("cancelled; nothing was written", run.Error);
        Assert.False(Directory.Exists(folder["out"]), "the interrupted run left its output folder");
    }

    [Fact]
    public void SignalledTwice_WhileACommandComputes_EndsAtOnceWith130()
    {
        // bench takes no cancellation: after the first signal it computes on (Score-CAM passes of ResNet-18), so the
        // second is sure to find it running. The second once took the runtime's own shutdown, whose exit ran
        // LibTorch's static destructors under the running pass (exit 139, or 143), where the code says 130.
        using CliProcess run = CliProcess.Start(
            ["bench", "--model", Model, "--batch", "1", "--methods", "scorecam", "--runs", "10"], "bench: warming up");
        run.Signal("-TERM");
        run.WaitFor("gradcam: interrupted; stopping");
        run.Signal("-TERM");
        Assert.Equal(ExitCodes.Cancelled, run.Exit("two signals did not stop the run"));
        Assert.Contains("gradcam: stopped at once", run.Error);
    }

    /// <summary>The <c>gradcam</c> command as a process of its own, which signals can reach.</summary>
    private sealed class CliProcess : IDisposable
    {
        private readonly System.Text.StringBuilder _error = new();
        private readonly Process _process;

        private CliProcess(Process process) => _process = process;

        /// <summary>Everything written to standard error so far.</summary>
        public string Error
        {
            get
            {
                lock (_error) return _error.ToString();
            }
        }

        /// <summary>Starts the command and waits until a line of its standard error starts with
        /// <paramref name="ready"/>.</summary>
        public static CliProcess Start(IEnumerable<string> arguments, string ready)
        {
            var start = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true };
            start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "gradcam.dll"));
            foreach (string argument in arguments) start.ArgumentList.Add(argument);
            var run = new CliProcess(Process.Start(start)!);
            run._process.ErrorDataReceived += (_, line) =>
            {
                lock (run._error) run._error.AppendLine(line.Data);
            };
            run._process.BeginErrorReadLine();
            try
            {
                run.WaitFor(ready, atLineStart: true);
            }
            catch
            {
                run.Dispose();
                throw;
            }
            return run;
        }

        /// <summary>Waits (two minutes at most, and while the command runs) until a line of its standard error holds
        /// <paramref name="text"/>, or starts with it.</summary>
        public void WaitFor(string text, bool atLineStart = false)
        {
            var clock = Stopwatch.StartNew();
            while (!Error.Split('\n').Any(line => atLineStart ? line.StartsWith(text, StringComparison.Ordinal)
                : line.Contains(text, StringComparison.Ordinal)))
            {
                Assert.True(clock.Elapsed < TimeSpan.FromMinutes(2) && !_process.HasExited,
                    $"no '{text}' from the command: {Error}");
                Thread.Sleep(50);
            }
        }

        /// <summary>Sends <paramref name="signal"/> (a <c>kill</c> option) to the command.</summary>
        public void Signal(string signal)
        {
            using Process kill = Process.Start("kill",
                [signal, _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!;
            kill.WaitForExit();
        }

        /// <summary>The exit code, once the command has ended (within a minute, or the test fails with
        /// <paramref name="message"/>).</summary>
        public int Exit(string message)
        {
            Assert.True(_process.WaitForExit(TimeSpan.FromMinutes(1)), message);
            _process.WaitForExit();
            return _process.ExitCode;
        }

        public void Dispose()
        {
            if (!_process.HasExited) _process.Kill();
            _process.WaitForExit();
            _process.Dispose();
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
