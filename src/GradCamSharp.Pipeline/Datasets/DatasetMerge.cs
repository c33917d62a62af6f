using System.Text;
using System.Text.Json;

namespace GradCamSharp.Pipeline.Datasets;

/// <summary>
/// Joins the output folders of a dataset's shards into one folder: every file copied to the same relative place,
/// one <see cref="DatasetRun.ManifestName"/> and one <see cref="DatasetRun.FailuresName"/> in the order of the photos'
/// keys, each line as its shard wrote it. Shards made with different settings, or sharing a photo or a file, are
/// refused before anything is written.
/// </summary>
public static class DatasetMerge
{
    /// <summary>Merges <paramref name="shards"/> into <paramref name="outputDirectory"/>.</summary>
    /// <param name="shards">The shards' output folders.</param>
    /// <param name="outputDirectory">A new or empty folder.</param>
    /// <param name="progress">A line per shard.</param>
    /// <exception cref="UsageException">No shards, different settings, or overlapping shards.</exception>
    /// <exception cref="UnreadableInputException">A shard folder is missing or holds no manifest.</exception>
    /// <exception cref="OutputException">The output folder is not empty or cannot be written.</exception>
    /// <example><code>DatasetMerge.Run(["out/shard-0", "out/shard-1"], "out/all");</code></example>
    public static DatasetCounts Run(IReadOnlyList<string> shards, string outputDirectory,
        IProgress<string>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(shards);
        ArgumentNullException.ThrowIfNull(outputDirectory);
        if (shards.Count == 0) throw new UsageException("no shard folders given");
        if (shards.GroupBy(s => Path.TrimEndingDirectorySeparator(Path.GetFullPath(s)))
            .FirstOrDefault(g => g.Count() > 1) is { } twice)
            throw new UsageException($"shard folder '{twice.First()}' is given twice");
        Shard[] read = [.. shards.Select(Read)];
        CheckSettings(read);
        var owner = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (Shard shard in read)
        {
            foreach (string image in shard.Lines.Concat(shard.Failures).Select(ImageOf).Distinct())
            {
                if (owner.TryAdd(image, shard.Folder)) continue;
                throw new UsageException($"photo '{image}' is in both '{owner[image]}' and '{shard.Folder}': the " +
                    "shards overlap (made with different --shard counts, or the same index twice?)");
            }
        }
        Dictionary<string, (string Shard, string Path)> files = FilesByName(read);
        try
        {
            using FileStream folderLock = StagedOutput.CreateLocked(outputDirectory, empty: true);
            foreach ((string name, (_, string source)) in files)
            {
                string target = Path.Combine(outputDirectory, name);
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                File.Copy(source, target);
            }
            foreach (Shard shard in read)
                progress?.Report($"{shard.Folder}: {shard.Lines.Count} line(s), {shard.Failures.Count} failure(s)");
            WriteLines(Path.Combine(outputDirectory, DatasetRun.FailuresName), read.SelectMany(s => s.Failures));
            WriteLines(Path.Combine(outputDirectory, DatasetRun.ManifestName), read.SelectMany(s => s.Lines));
        }
        catch (Exception exception) when (exception is IOException and not OutputException
            or UnauthorizedAccessException)
        {
            throw new OutputException($"cannot write to output folder '{outputDirectory}': {exception.Message}",
                exception);
        }
        int failed = read.Sum(s => s.Failures.Count);
        int explained = read.Sum(s => s.Lines.Select(ImageOf).Distinct().Count());
        return new DatasetCounts
        {
            Photos = explained + failed, Explained = explained, Failed = failed,
            Entries = read.Sum(s => s.Lines.Count),
        };
    }

    private sealed record Shard(string Folder, IReadOnlyList<JsonElement> Lines, IReadOnlyList<JsonElement> Failures);

    private static Shard Read(string folder)
    {
        if (!Directory.Exists(folder)) throw new UnreadableInputException($"shard folder '{folder}' does not exist");
        string manifest = Path.Combine(folder, DatasetRun.ManifestName);
        string failures = Path.Combine(folder, DatasetRun.FailuresName);
        if (!File.Exists(manifest) && !File.Exists(failures))
        {
            throw new UnreadableInputException($"shard folder '{folder}' holds no {DatasetRun.ManifestName}: not " +
                "the output of a dataset run");
        }
        return new Shard(folder, JsonLines.Read(manifest), JsonLines.Read(failures));
    }

    private static void CheckSettings(Shard[] shards)
    {
        var settings = shards.SelectMany(s => s.Lines.Concat(s.Failures)
            .Select(line => (Shard: s.Folder, Hash: JsonLines.Text(line, "settings") ?? "none")))
            .DistinctBy(x => x.Hash).ToArray();
        if (settings.Length > 1)
        {
            throw new UsageException("the shards were made with different settings: " +
                string.Join(", ", settings.Select(s => $"'{s.Shard}' has {s.Hash}")));
        }
    }

    /// <summary>
    /// Every file the shards wrote (their hidden files, temporary files and manifests aside), by relative name; a
    /// name two shards both hold is refused.
    /// </summary>
    private static Dictionary<string, (string Shard, string Path)> FilesByName(Shard[] shards)
    {
        var files = new Dictionary<string, (string Shard, string Path)>(StringComparer.Ordinal);
        var options = new EnumerationOptions
        {
            RecurseSubdirectories = true, AttributesToSkip = FileAttributes.Hidden | FileAttributes.ReparsePoint,
        };
        foreach (Shard shard in shards)
        {
            foreach (string file in Directory.EnumerateFiles(shard.Folder, "*", options))
            {
                string name = Path.GetRelativePath(shard.Folder, file).Replace('\\', '/');
                if (name is DatasetRun.ManifestName or DatasetRun.FailuresName) continue;
                if (files.TryAdd(name, (shard.Folder, file))) continue;
                throw new UsageException($"file '{name}' is in both '{files[name].Shard}' and '{shard.Folder}': the " +
                    "shards overlap");
            }
        }
        return files;
    }

    /// <summary>The lines in the order of their photos' keys (each photo's lines as written), written whole.</summary>
    private static void WriteLines(string path, IEnumerable<JsonElement> lines)
    {
        var text = new StringBuilder();
        foreach (JsonElement line in lines.OrderBy(ImageOf, StringComparer.Ordinal))
            text.Append(line.GetRawText()).Append('\n');
        string temporary = path + ".gradcam-partial";
        File.WriteAllText(temporary, text.ToString());
        File.Move(temporary, path);
    }

    private static string ImageOf(JsonElement line) => JsonLines.Text(line, "image") ?? "";
}
