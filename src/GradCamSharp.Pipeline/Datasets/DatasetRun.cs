using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using GradCamSharp.Imaging;
using SkiaSharp;

namespace GradCamSharp.Pipeline.Datasets;

/// <summary>
/// A run over a dataset into one output folder that streams, survives crashes and resumes: each photo's files appear
/// whole as soon as it is done (see <see cref="IPhotoOutput"/>), then its lines are appended to
/// <see cref="ManifestName"/>; a photo that fails is recorded in <see cref="FailuresName"/> and the run goes on. The
/// same run started again into the same folder skips the photos already in the manifest, and a run with other
/// settings is refused there: every line carries the hash of its run's settings.
/// </summary>
/// <example>
/// <code>
/// Dataset photos = Dataset.FromFolder("photos/").Take(Shard.Parse("auto", count: 8));
/// var run = new DatasetRun("out/shard") { MaxFailures = 100 };
/// DatasetCounts counts = new ExplainPipeline(model).Run(photos, run, new ExplanationSettings());
/// </code>
/// </example>
public sealed class DatasetRun
{
    /// <summary>The manifest: one <see cref="ManifestEntry"/> a line.</summary>
    public const string ManifestName = "explanations.jsonl";

    /// <summary>The photos that failed: one <see cref="PhotoFailure"/> a line.</summary>
    public const string FailuresName = "failures.jsonl";

    private static readonly TimeSpan ProgressInterval = TimeSpan.FromSeconds(2);

    /// <summary>A run into <paramref name="outputDirectory"/>.</summary>
    /// <exception cref="UsageException">An empty folder name.</exception>
    public DatasetRun(string outputDirectory)
    {
        ArgumentNullException.ThrowIfNull(outputDirectory);
        if (string.IsNullOrWhiteSpace(outputDirectory)) throw new UsageException("the output folder is empty");
        OutputDirectory = outputDirectory;
    }

    /// <summary>Where the files and the manifests go.</summary>
    public string OutputDirectory { get; }

    /// <summary>Pixel limit, output size and whether truncated photos are accepted.</summary>
    public ImageDecodeOptions Decoding { get; init; } = ImageDecodeOptions.Default;

    /// <summary>Write into a folder holding files of its own that no dataset run wrote (they are left alone).</summary>
    public bool Overwrite { get; init; }

    /// <summary>
    /// Photos that go through the model together, where the task can (one forward pass for several photos of the
    /// same input size); 1 explains each alone, which gives the same maps whatever the sharding.
    /// </summary>
    public int PhotosPerPass { get; init; } = 1;

    /// <summary>Stop once this many photos have failed in this run; null never stops.</summary>
    public int? MaxFailures { get; init; }

    /// <summary>
    /// What a photo's failure means: its exit code and reason (the command line's own rules); by default exit code 1
    /// and the exception's message.
    /// </summary>
    public Func<Exception, (int ExitCode, string Reason)> Classify { get; init; } =
        exception => (1, exception.Message);

    /// <summary>
    /// The hash that identifies <paramref name="settings"/> (a canonical description of everything that shapes the
    /// output: model, methods, classes, drawing, decoding) in every line: 16 hexadecimal digits.
    /// </summary>
    public static string HashOf(string settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(settings)))[..16];
    }

    /// <summary>
    /// Explains every photo of <paramref name="dataset"/> not yet in the folder's manifest with
    /// <paramref name="explain"/> (see <see cref="Run(Dataset, PhotoTask, IProgress{string}?, CancellationToken)"/>).
    /// </summary>
    public DatasetCounts Run(Dataset dataset, string settings,
        Func<LoadedPhoto, IPhotoOutput, IEnumerable<ManifestEntry>> explain, IProgress<string>? progress = null,
        CancellationToken cancellationToken = default) =>
        Run(dataset, new PhotoTask(settings, explain), progress, cancellationToken);

    /// <summary>Runs <paramref name="task"/> on every photo of <paramref name="dataset"/> not yet in the folder's
    /// manifest.</summary>
    /// <param name="dataset">The photos (already sharded, if sharded).</param>
    /// <param name="task">What to do to each photo, and its settings (see <see cref="HashOf"/>).</param>
    /// <param name="progress">A line at the start, one every few seconds with the rate and the time left, and one
    /// per failure.</param>
    /// <param name="cancellationToken">Checked between photos: the photos done stay done, and the same run resumes.
    /// </param>
    /// <exception cref="UsageException">The folder holds a run with other settings.</exception>
    /// <exception cref="OutputException">The folder cannot be written, is being written by another run, or holds
    /// files of its own.</exception>
    /// <exception cref="OperationCanceledException">Cancelled; what was done is kept.</exception>
    public DatasetCounts Run(Dataset dataset, PhotoTask task, IProgress<string>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentNullException.ThrowIfNull(task);
        if (PhotosPerPass < 1) throw new UsageException($"--photo-batch must be at least 1, got {PhotosPerPass}");
        string hash = HashOf(task.Settings);
        try
        {
            using FileStream folderLock = Prepare();
            RemovePartialFiles();
            HashSet<string> done = DoneBefore(hash);
            DatasetPhoto[] todo = [.. dataset.Photos.Where(p => !done.Contains(p.Key))];
            int alreadyDone = dataset.Photos.Count - todo.Length;
            progress?.Report($"{dataset.Description}: {dataset.Photos.Count} photo(s)" +
                (dataset.OtherFiles > 0 ? $", {dataset.OtherFiles} other file(s) skipped" : "") +
                (alreadyDone > 0 ? $"; {alreadyDone} already done in {OutputDirectory}, skipped" : ""));
            using var manifest = JsonLines.Open(Path.Combine(OutputDirectory, ManifestName));
            using var failures = JsonLines.Open(Path.Combine(OutputDirectory, FailuresName), truncate: true);
            return new Pass(this, hash, todo, task, manifest, failures, progress, cancellationToken).Run()
                with { Photos = dataset.Photos.Count, AlreadyDone = alreadyDone };
        }
        catch (Exception exception) when (exception is IOException and not (UnreadableInputException
            or OutputException) or UnauthorizedAccessException)
        {
            throw new OutputException($"cannot write to output folder '{PrintableText.Printable(OutputDirectory)}'" +
                $": {exception.Message}", exception);
        }
    }

    /// <summary>
    /// Creates the folder and takes its lock; a folder with files but no manifests is someone else's, refused unless
    /// <see cref="Overwrite"/>.
    /// </summary>
    private FileStream Prepare()
    {
        FileStream folderLock = StagedOutput.CreateLocked(OutputDirectory);
        bool ours = File.Exists(Path.Combine(OutputDirectory, ManifestName))
            || File.Exists(Path.Combine(OutputDirectory, FailuresName));
        if (!ours && !Overwrite && Directory.EnumerateFileSystemEntries(OutputDirectory)
            .Select(Path.GetFileName).FirstOrDefault(name => name != StagedOutput.LockName) is string foreign)
        {
            folderLock.Dispose();
            throw new OutputException($"output folder '{OutputDirectory}' holds '{foreign}' and no {ManifestName}; " +
                "choose an empty folder, or allow writing beside it (--overwrite)");
        }
        return folderLock;
    }

    /// <summary>
    /// Removes the files a killed run left half-written (hidden, named *.gradcam-partial, or that with the PNG
    /// writer's own ".partial" after it): a photo redone writes its files again, possibly under other names (another
    /// class on top), and nothing else would remove them.
    /// </summary>
    private void RemovePartialFiles()
    {
        var options = new EnumerationOptions
        {
            RecurseSubdirectories = true, AttributesToSkip = FileAttributes.ReparsePoint, IgnoreInaccessible = true,
        };
        foreach (string file in Directory.EnumerateFiles(OutputDirectory, $"*{DatasetPhotoFiles.PartialSuffix}*",
            options))
        {
            if (Path.GetFileName(file).StartsWith('.')) File.Delete(file);
        }
    }

    /// <summary>The photos the folder's manifest already holds, all made with <paramref name="hash"/>'s settings.
    /// </summary>
    private HashSet<string> DoneBefore(string hash)
    {
        var done = new HashSet<string>(StringComparer.Ordinal);
        foreach (JsonElement line in JsonLines.Read(Path.Combine(OutputDirectory, ManifestName)))
        {
            string? settings = JsonLines.Text(line, "settings");
            if (settings != hash)
            {
                throw new UsageException($"output folder '{OutputDirectory}' holds a run made with other settings " +
                    $"(hash {settings ?? "none"}, this run's is {hash}): resume with the same model and options, or " +
                    "choose another folder");
            }
            if (JsonLines.Text(line, "image") is string image) done.Add(image);
        }
        return done;
    }

    /// <summary>One pass over the photos left to do.</summary>
    private sealed class Pass(DatasetRun run, string hash, DatasetPhoto[] photos, PhotoTask task,
        JsonLines manifest, JsonLines failures, IProgress<string>? progress, CancellationToken cancellationToken)
    {
        private readonly long _start = Stopwatch.GetTimestamp();
        private long _lastReport;
        private int _explained;
        private int _failed;
        private int _entries;

        public DatasetCounts Run()
        {
            // Files are written and published in photo order on one thread behind the model; the next photos are
            // decoded on others meanwhile.
            int size = task.ExplainBatch is null ? 1 : run.PhotosPerPass;
            DatasetPhoto[][] chunks = [.. photos.Chunk(size)];
            using var writes = new WriteBehind { Depth = 1 };
            Task<(SKBitmap, float)>[]? next = chunks.Length > 0 ? Decode(chunks[0]) : null;
            bool stopped = false;
            int done = 0;
            try
            {
                for (int c = 0; c < chunks.Length && !stopped; c++)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    Task<(SKBitmap, float)>[] decoding = next!;
                    next = c + 1 < chunks.Length ? Decode(chunks[c + 1]) : null;
                    stopped = !Explain(chunks[c], decoding, writes);
                    done += chunks[c].Length;
                    Report(done);
                }
                writes.Drain();
            }
            finally
            {
                foreach (Task<(SKBitmap, float)> pending in next ?? [])
                {
                    _ = pending.ContinueWith(decoded => decoded.Result.Item1.Dispose(), CancellationToken.None,
                        TaskContinuationOptions.OnlyOnRanToCompletion, TaskScheduler.Default);
                }
            }
            return new DatasetCounts
            {
                Explained = _explained, Failed = _failed, Entries = _entries, StoppedEarly = stopped,
            };
        }

        /// <summary>
        /// Explains the photos of one pass (together where the task can, alone if that fails), recording each
        /// failure; false when the run must stop.
        /// </summary>
        private bool Explain(DatasetPhoto[] chunk, Task<(SKBitmap, float)>[] decoding, WriteBehind writes)
        {
            var loaded = new List<(DatasetPhoto Photo, LoadedPhoto Loaded)>();
            try
            {
                var unreadable = new List<(DatasetPhoto Photo, Exception Exception)>();
                for (int i = 0; i < chunk.Length; i++)
                {
                    try
                    {
                        (SKBitmap bitmap, float scale) = decoding[i].GetAwaiter().GetResult();
                        loaded.Add((chunk[i], new LoadedPhoto(new PhotoSource(chunk[i].Key, chunk[i].Stem), bitmap,
                            scale)));
                    }
                    catch (Exception exception) when (IsPhotoFailure(exception))
                    {
                        unreadable.Add((chunk[i], exception));
                    }
                }
                foreach ((DatasetPhoto photo, Exception exception) in unreadable)
                {
                    if (!Fail(photo, exception, null, writes)) return false;
                }
                if (loaded.Count > 1 && ExplainTogether(loaded, writes)) return true;
                foreach ((DatasetPhoto photo, LoadedPhoto photoLoaded) in loaded)
                {
                    if (!ExplainAlone(photo, photoLoaded, writes)) return false;
                }
                return true;
            }
            finally
            {
                foreach ((_, LoadedPhoto photoLoaded) in loaded) photoLoaded.Bitmap.Dispose();
            }
        }

        /// <summary>The photos through the model at once; false (nothing kept) when one of them fails.</summary>
        private bool ExplainTogether(List<(DatasetPhoto Photo, LoadedPhoto Loaded)> loaded, WriteBehind writes)
        {
            DatasetPhotoFiles[] files = [.. loaded.Select(l => new DatasetPhotoFiles(run.OutputDirectory, l.Photo))];
            IReadOnlyList<IReadOnlyList<ManifestEntry>> entries;
            try
            {
                entries = task.ExplainBatch!([.. loaded.Select(l => l.Loaded)], files);
            }
            catch (Exception exception) when (IsPhotoFailure(exception))
            {
                foreach (DatasetPhotoFiles discarded in files) writes.Enqueue(discarded.Discard);
                return false;
            }
            for (int i = 0; i < files.Length; i++) Publish(files[i], entries[i], writes);
            return true;
        }

        /// <summary>Explains one photo, or records its failure; false when the run must stop.</summary>
        private bool ExplainAlone(DatasetPhoto photo, LoadedPhoto loaded, WriteBehind writes)
        {
            var files = new DatasetPhotoFiles(run.OutputDirectory, photo);
            IEnumerable<ManifestEntry> entries;
            try
            {
                entries = [.. task.ExplainOne(loaded, files)];
            }
            catch (Exception exception) when (IsPhotoFailure(exception))
            {
                return Fail(photo, exception, files, writes);
            }
            Publish(files, entries, writes);
            return true;
        }

        /// <summary>Publishes a photo's files, then appends its lines, behind the model.</summary>
        private void Publish(DatasetPhotoFiles files, IEnumerable<ManifestEntry> entries, WriteBehind writes)
        {
            ManifestEntry[] lines = [.. entries.Select(e => e with { Settings = hash })];
            writes.Enqueue(() =>
            {
                files.Publish();
                manifest.Append(lines);
            });
            _explained++;
            _entries += lines.Length;
        }

        /// <summary>Records a photo's failure; false when the run must stop.</summary>
        private bool Fail(DatasetPhoto photo, Exception exception, DatasetPhotoFiles? files, WriteBehind writes)
        {
            if (files is not null) writes.Enqueue(files.Discard);
            (int code, string reason) = run.Classify(exception);
            failures.Append([new PhotoFailure(photo.Key, PrintableText.OneLine(reason), code, hash)]);
            _failed++;
            progress?.Report($"{photo.Key}: failed: {PrintableText.OneLine(reason)}");
            return run.MaxFailures is not int most || _failed < most;
        }

        /// <summary>
        /// A failure of the photo rather than of the run: anything but an interruption, an output that cannot be
        /// written, or the process running out of memory.
        /// </summary>
        private static bool IsPhotoFailure(Exception exception) => exception is not (OperationCanceledException
            or OutputException or OutOfMemoryException or InsufficientExecutionStackException)
            && (exception is not IOException || exception is UnreadableInputException);

        private Task<(SKBitmap, float)>[] Decode(DatasetPhoto[] chunk) => [.. chunk.Select(photo => Task.Run(() =>
        {
            (int width, int height) = ImageLoader.Probe(photo.Path, run.Decoding);
            SKBitmap bitmap = ImageLoader.Load(photo.Path, run.Decoding);
            return (bitmap, PhotoBatch.ScaleOf(bitmap, width, height));
        }))];

        private void Report(int done)
        {
            long now = Stopwatch.GetTimestamp();
            if (progress is null || (done < photos.Length && Stopwatch.GetElapsedTime(_lastReport, now) <
                ProgressInterval && _lastReport != 0)) return;
            _lastReport = now;
            double seconds = Stopwatch.GetElapsedTime(_start, now).TotalSeconds;
            double rate = done / Math.Max(seconds, 1e-9);
            TimeSpan left = TimeSpan.FromSeconds((photos.Length - done) / Math.Max(rate, 1e-9));
            string when = done < photos.Length ? $"about {Format(left)} left"
                : $"done in {Format(TimeSpan.FromSeconds(seconds))}";
            // Resident memory, so that a long run shows it stays level (Environment.WorkingSet is the RSS on Linux).
            progress.Report($"[{done}/{photos.Length}] {rate:0.0} photos/s" +
                (_failed > 0 ? $", {_failed} failed" : "") + $", {Environment.WorkingSet >> 20} MB resident, {when}");
        }

        private static string Format(TimeSpan time) => time.TotalHours >= 1 ? $"{(int)time.TotalHours}h{time:mm}m"
            : time.TotalMinutes >= 1 ? $"{(int)time.TotalMinutes}m{time:ss}s" : $"{time.TotalSeconds:0}s";
    }
}
