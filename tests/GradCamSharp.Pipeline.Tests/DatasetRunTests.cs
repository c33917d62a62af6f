using System.Text.Json;
using GradCamSharp.Imaging;
using GradCamSharp.Pipeline.Datasets;
using SkiaSharp;

namespace GradCamSharp.Pipeline.Tests;

/// <summary>
/// A dataset run streams, records failures, resumes and merges, whatever the explanation: here a stand-in that writes
/// each photo's size, so that only the run's own machinery is under test.
/// </summary>
public sealed class DatasetRunTests : IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly List<string> _explained = [];

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void AFolder_IsFoundRecursively_ByContent_InOrdinalOrder_WithoutHiddenFilesOrTheOutput()
    {
        string input = Photos("b/z.png", "a/y.png", "x.png", "B/w.png", "misnamed.dat");
        File.WriteAllText(Path.Combine(input, "notes.jpg"), "not a photo");
        Photo(Path.Combine(input, ".hidden/v.png"));
        Photo(Path.Combine(input, "out/u.png"));
        // A FIFO among the photos is another file, told without opening it for good (which would block).
        using (var mkfifo = System.Diagnostics.Process.Start("mkfifo", [Path.Combine(input, "a", "pipe.png")]))
            mkfifo.WaitForExit();

        Dataset dataset = Dataset.FromFolder(input, exclude: Path.Combine(input, "out"));

        Assert.Equal(["B/w.png", "a/y.png", "b/z.png", "misnamed.dat", "x.png"], dataset.Photos.Select(p => p.Key));
        Assert.Equal(["B", "a", "b", "", ""], dataset.Photos.Select(p => p.Folder));
        Assert.Equal(2, dataset.OtherFiles);
        Directory.CreateDirectory(_folder["void"]);
        File.WriteAllText(_folder["void/notes.txt"], "no photos here");
        var empty = Assert.Throws<UnreadableInputException>(() => Dataset.FromFolder(_folder["void"]));
        Assert.Contains("holds no photos (1 other file(s))", empty.Message);
        Assert.Throws<UnreadableInputException>(() => Dataset.FromList(new StringReader("\n\n"), "blank.txt"));
    }

    [Fact]
    public void PhotosSharingAStemInAFolder_GetDistinctStems_WhicheverShardTheyFallIn()
    {
        string input = Photos("a/dog.png", "a/dog.jpg", "b/dog.png");
        Dataset dataset = Dataset.FromFolder(input);
        Assert.Equal(["dog-jpg", "dog-png", "dog"], dataset.Photos.Select(p => p.Stem));
        foreach (int count in new[] { 2, 3 })
        {
            var stems = Enumerable.Range(0, count).SelectMany(i => dataset.Take(new Shard(i, count)).Photos)
                .ToDictionary(p => p.Key, p => p.Stem);
            Assert.All(dataset.Photos, p => Assert.Equal(p.Stem, stems[p.Key]));
        }
    }

    [Fact]
    public void ARun_WritesEachPhotosFilesAndLines_RecordsAFailure_AndGoesOn()
    {
        string input = Photos("a/one.png", "b/two.png", "three.png");
        File.WriteAllBytes(Path.Combine(input, "b/broken.png"), [.. File.ReadAllBytes(Path.Combine(input,
            "three.png")).Take(40)]);
        string output = _folder["out"];

        DatasetCounts counts = Run(input, output);

        Assert.Equal((4, 3, 1, 3), (counts.Photos, counts.Explained, counts.Failed, counts.Entries));
        JsonElement[] lines = Lines(output, DatasetRun.ManifestName);
        Assert.Equal(["a/one.png", "b/two.png", "three.png"], lines.Select(l => l.GetProperty("image").GetString()));
        Assert.Equal(["a/one_size.txt", "b/two_size.txt", "three_size.txt"],
            lines.Select(l => l.GetProperty("file").GetString()));
        Assert.All(lines, l => Assert.Equal("8x6", File.ReadAllText(Path.Combine(output,
            l.GetProperty("file").GetString()!))));
        JsonElement failure = Assert.Single(Lines(output, DatasetRun.FailuresName));
        Assert.Equal("b/broken.png", failure.GetProperty("image").GetString());
        Assert.Equal(7, failure.GetProperty("exit_code").GetInt32());
        Assert.Empty(Directory.GetFiles(output, "*.gradcam-partial", SearchOption.AllDirectories));
    }

    [Fact]
    public void TheSameRunAgain_SkipsWhatIsDone_AndCutsAnIncompleteLastLine()
    {
        string input = Photos("one.png", "two.png", "three.png");
        string output = _folder["out"];
        Run(input, output);
        // A run killed in the middle of its last append, and a photo it never reached.
        string manifest = Path.Combine(output, DatasetRun.ManifestName);
        string[] whole = File.ReadAllLines(manifest);
        File.WriteAllText(manifest, whole[0] + "\n" + whole[1] + "\n" + whole[2][..20]);
        Photo(Path.Combine(input, "four.png"));
        _explained.Clear();
        // Files a killed run left half-written, under names the redone photo may not use again.
        Directory.CreateDirectory(Path.Combine(output, "sub"));
        string[] debris = [Path.Combine(output, ".two_cat.png.gradcam-partial"),
            Path.Combine(output, "sub", ".x_size.txt.gradcam-partial.partial")];
        foreach (string file in debris) File.WriteAllText(file, "half");

        DatasetCounts counts = Run(input, output);

        Assert.All(debris, file => Assert.False(File.Exists(file), file));

        Assert.Equal((4, 2, 2), (counts.Photos, counts.AlreadyDone, counts.Explained));
        Assert.Equal(["four.png", "two.png"], _explained.Order());
        Assert.Equal(["four.png", "one.png", "three.png", "two.png"],
            Lines(output, DatasetRun.ManifestName).Select(l => l.GetProperty("image").GetString()).Order());
    }

    [Fact]
    public void OtherSettings_AreRefusedInAFolderHoldingARun()
    {
        string input = Photos("one.png");
        string output = _folder["out"];
        Run(input, output);
        var error = Assert.Throws<UsageException>(() => Run(input, output, settings: "other"));
        Assert.Contains("other settings", error.Message);
    }

    [Fact]
    public void AFolderOfSomeoneElsesFiles_IsRefused_UnlessOverwriting()
    {
        string input = Photos("one.png");
        string output = _folder["out"];
        Directory.CreateDirectory(output);
        File.WriteAllText(Path.Combine(output, "thesis.tex"), "mine");
        Assert.Throws<OutputException>(() => Run(input, output));
        Assert.Equal(1, Run(input, output, overwrite: true).Explained);
        Assert.Equal("mine", File.ReadAllText(Path.Combine(output, "thesis.tex")));
    }

    [Fact]
    public void MaxFailures_StopsTheRunEarly()
    {
        string input = Photos("a.png", "d.png");
        foreach (string name in new[] { "b.png", "c.png" })
            File.WriteAllBytes(Path.Combine(input, name), [0x89, (byte)'P', (byte)'N', (byte)'G']);
        DatasetCounts counts = Run(input, _folder["out"], maxFailures: 2);
        Assert.True(counts.StoppedEarly);
        Assert.Equal((1, 2), (counts.Explained, counts.Failed));
        Assert.DoesNotContain("d.png", _explained);
    }

    [Fact]
    public void PhotosGoThroughTogether_AndAPassThatFails_IsRetriedPhotoByPhoto()
    {
        string input = Photos("a.png", "b.png", "c.png", "d.png", "e.png");
        var passes = new List<string>();
        PhotoTask sizes = SizeTask("settings");
        PhotoTask task = sizes with
        {
            ExplainBatch = (photos, outputs) =>
            {
                passes.Add(string.Join(",", photos.Select(p => p.Source.Path)));
                if (photos.Any(p => p.Source.Path == "c.png")) throw new InvalidOperationException("c spoils it");
                return [.. photos.Select((p, i) => sizes.ExplainOne(p, outputs[i]).ToArray())];
            },
            ExplainOne = (photo, output) => photo.Source.Path == "c.png"
                ? throw new InvalidOperationException("c is bad") : sizes.ExplainOne(photo, output),
        };

        DatasetCounts counts = new DatasetRun(_folder["out"]) { PhotosPerPass = 2 }
            .Run(Dataset.FromFolder(input), task);

        Assert.Equal(["a.png,b.png", "c.png,d.png"], passes);
        Assert.Equal((4, 1), (counts.Explained, counts.Failed));
        Assert.Equal(["a.png", "b.png", "d.png", "e.png"], Lines(_folder["out"], DatasetRun.ManifestName)
            .Select(l => l.GetProperty("image").GetString()));
        Assert.Equal("c is bad", Assert.Single(Lines(_folder["out"], DatasetRun.FailuresName))
            .GetProperty("reason").GetString());
    }

    [Fact]
    public void MergedShards_EqualOneRun_AndOverlapsOrOtherSettingsAreRefused()
    {
        string input = Photos("a/1.png", "a/2.png", "b/3.png", "b/4.png", "5.png", "6.png", "7.png");
        Run(input, _folder["whole"]);
        string[] shards = [.. Enumerable.Range(0, 3).Select(i => _folder[$"shard{i}"])];
        for (int i = 0; i < 3; i++)
            Run(input, shards[i], shard: new Shard(i, 3));

        DatasetCounts merged = DatasetMerge.Run(shards, _folder["merged"]);

        Assert.Equal(7, merged.Explained);
        Assert.Equal(File.ReadAllText(Path.Combine(_folder["whole"], DatasetRun.ManifestName)),
            File.ReadAllText(Path.Combine(_folder["merged"], DatasetRun.ManifestName)));
        Assert.Equal(Files(_folder["whole"]), Files(_folder["merged"]));
        Assert.Throws<UsageException>(() => DatasetMerge.Run([shards[0], _folder["whole"]], _folder["m2"]));
        Run(input, _folder["other"], settings: "other", shard: new Shard(1, 3));
        Assert.Throws<UsageException>(() => DatasetMerge.Run([shards[0], _folder["other"]], _folder["m3"]));
        Assert.Throws<OutputException>(() => DatasetMerge.Run(shards, _folder["merged"]));
    }

    private DatasetCounts Run(string input, string output, string settings = "settings", Shard? shard = null,
        int? maxFailures = null, bool overwrite = false)
    {
        var run = new DatasetRun(output)
        {
            MaxFailures = maxFailures, Overwrite = overwrite, Classify = exception => (7, exception.Message),
        };
        return run.Run(Dataset.FromFolder(input).Take(shard ?? Shard.All), SizeTask(settings));
    }

    /// <summary>The stand-in explanation: each photo's size written to a file, and a manifest line naming it.</summary>
    private PhotoTask SizeTask(string settings) => new(settings, (photo, files) =>
    {
        _explained.Add(photo.Source.Path);
        string path = files.Add($"{photo.Source.Stem}_size.txt", out string name);
        string size = $"{photo.Bitmap.Width}x{photo.Bitmap.Height}";
        files.WriteBehind(() => File.WriteAllText(path, size));
        return [new ManifestEntry
        {
            Image = photo.Source.Path, Model = "stand-in", Layer = "none", Method = "size", Score = 0,
            File = name, Peak = [0, 0],
        }];
    });

    private string Photos(params string[] names)
    {
        string input = _folder["in"];
        foreach (string name in names) Photo(Path.Combine(input, name));
        return input;
    }

    private static void Photo(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var bitmap = new SKBitmap(8, 6);
        bitmap.Erase(SKColors.Teal);
        PngFile.Save(bitmap, path);
    }

    private static JsonElement[] Lines(string folder, string name) =>
        [.. File.ReadAllLines(Path.Combine(folder, name)).Select(line => JsonDocument.Parse(line).RootElement)];

    private static Dictionary<string, string> Files(string folder) => Directory
        .EnumerateFiles(folder, "*.txt", SearchOption.AllDirectories)
        .ToDictionary(f => Path.GetRelativePath(folder, f), File.ReadAllText);
}
