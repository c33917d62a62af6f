using System.CommandLine;
using GradCamSharp.Imaging;
using GradCamSharp.Pipeline.Datasets;

namespace GradCamSharp.Cli.Commands;

/// <summary>
/// How a command that takes photos takes a whole dataset instead: a folder or a list, a shard of it, and how many
/// failures stop it.
/// </summary>
internal sealed class DatasetOptions
{
    public Option<string?> FromList { get; } = new("--from-list")
    {
        Description = "Photos listed in FILE, one path a line ('-' for standard input; relative paths are relative " +
            "to the list's folder); like a folder, the run streams, resumes and shards",
    };

    public ShardOptions Shards { get; } = new("a folder or list");

    public Option<int?> MaxFailures { get; } = new("--max-failures")
    {
        Description = "Stop a folder or list run once this many photos have failed (default: never)",
    };

    public Option<int> PhotoBatch { get; } = new("--photo-batch")
    {
        Description = "Photos of a folder or list that go through the model together (explain; faster on many " +
            "cores, maps equal to within float rounding); 1 explains each alone",
        DefaultValueFactory = _ => 1,
    };

    public void AddTo(Command command)
    {
        command.Add(FromList);
        Shards.AddTo(command);
        command.Add(MaxFailures);
        command.Add(PhotoBatch);
    }

    /// <summary>
    /// The dataset the command line names, or null for photos given one by one: one folder argument, or
    /// <c>--from-list</c> with no arguments.
    /// </summary>
    /// <exception cref="UsageException">A folder among photos, both a list and arguments, dataset options without
    /// a dataset, or a bad shard.</exception>
    public DatasetInput? Read(ParseResult result, IReadOnlyList<string> images)
    {
        string? list = result.GetValue(FromList);
        Shard shard = Shards.Read(result);
        int? maxFailures = result.GetValue(MaxFailures);
        if (maxFailures < 1) throw new UsageException($"--max-failures must be at least 1, got {maxFailures}");
        int photoBatch = result.GetValue(PhotoBatch);
        if (photoBatch < 1) throw new UsageException($"--photo-batch must be at least 1, got {photoBatch}");
        string? folder = images.Count == 1 && Directory.Exists(images[0]) ? images[0] : null;
        if (images.FirstOrDefault(Directory.Exists) is string stray && folder is null)
        {
            throw new UsageException($"'{stray}' is a folder: give one folder (all its photos are explained) or " +
                "photos, not both");
        }
        if (list is not null && images.Count > 0)
            throw new UsageException("give photos, a folder or --from-list, not both");
        if (list is null && folder is null)
        {
            if (images.Count == 0) throw new UsageException("no photos given: name photos, a folder, or --from-list");
            if (shard.Count > 1 || maxFailures is not null || photoBatch > 1)
                throw new UsageException("--shard, --max-failures and --photo-batch need a folder or --from-list");
            return null;
        }
        return new DatasetInput(folder, list, shard, maxFailures) { PhotosPerPass = photoBatch };
    }
}

/// <summary><c>--shard</c> and <c>--shard-count</c>: which share of the work this process takes.</summary>
/// <param name="what">What is sharded, for the help text: "a folder or list", "the pictures".</param>
internal sealed class ShardOptions(string what)
{
    public Option<string?> Shard { get; } = new("--shard")
    {
        Description = $"I/N: take the I-th of N stable shares of {what} (I from 0), or 'auto' for the index a " +
            "scheduler gives (JOB_COMPLETION_INDEX, SLURM_ARRAY_TASK_ID, AWS_BATCH_JOB_ARRAY_INDEX)",
    };

    public Option<int?> ShardCount { get; } = new("--shard-count")
    {
        Description = "N for --shard auto (Slurm's SLURM_ARRAY_TASK_COUNT otherwise)",
    };

    public void AddTo(Command command)
    {
        command.Add(Shard);
        command.Add(ShardCount);
    }

    /// <exception cref="UsageException">A malformed shard, or auto without its variables.</exception>
    public Shard Read(ParseResult result) =>
        Pipeline.Datasets.Shard.Parse(result.GetValue(Shard), result.GetValue(ShardCount));
}

/// <summary>A dataset named on the command line.</summary>
/// <param name="Folder">A folder, searched recursively.</param>
/// <param name="List">A list file, or "-" for standard input.</param>
/// <param name="Shard">The share to take.</param>
/// <param name="MaxFailures">Failures that stop the run.</param>
internal sealed record DatasetInput(string? Folder, string? List, Shard Shard, int? MaxFailures)
{
    /// <summary>Photos that go through the model together.</summary>
    public int PhotosPerPass { get; init; } = 1;

    /// <summary>The photos of this run's shard; the output folder is left out of a folder it lies in.</summary>
    /// <exception cref="UnreadableInputException">The folder or the list cannot be read.</exception>
    public Dataset Load(string outputDirectory, TextReader standardInput)
    {
        Dataset dataset;
        if (Folder is not null) dataset = Dataset.FromFolder(Folder, exclude: outputDirectory);
        else if (List == "-") dataset = Dataset.FromList(standardInput, "standard input");
        else
        {
            try
            {
                using var reader = new StreamReader(List!);
                dataset = Dataset.FromList(reader, List!, Path.GetDirectoryName(Path.GetFullPath(List!)));
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                throw new UnreadableInputException($"list '{List}' cannot be read: {exception.Message}", exception);
            }
        }
        return dataset.Take(Shard);
    }

    /// <summary>Refuses <c>--json</c>, which prints explanations.json, for a run that streams instead.</summary>
    /// <exception cref="UsageException">When <paramref name="json"/>.</exception>
    public static void RefuseJson(bool json)
    {
        if (json)
        {
            throw new UsageException("--json prints explanations.json, which a folder or list run does not write; " +
                "read DIR/explanations.jsonl");
        }
    }

    /// <summary>
    /// Loads the dataset and runs <paramref name="run"/> on it into <paramref name="outputDirectory"/>, failures
    /// recorded as the command line reports them; prints what was done and returns the exit code. An interruption
    /// keeps the photos done, and the same command resumes.
    /// </summary>
    public int Execute(string outputDirectory, ImageDecodeOptions decoding, bool overwrite,
        Func<Dataset, DatasetRun, IProgress<string>?, DatasetCounts> run, TextWriter error, bool quiet)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(error);
        Dataset dataset = Load(outputDirectory, Console.In);
        var datasetRun = new DatasetRun(outputDirectory)
        {
            Decoding = decoding, Overwrite = overwrite, MaxFailures = MaxFailures, Classify = Failures.Classify,
            PhotosPerPass = PhotosPerPass,
        };
        DatasetCounts counts;
        try
        {
            counts = run(dataset, datasetRun, quiet ? null : new LineProgress(error));
        }
        catch (OperationCanceledException)
        {
            error.WriteLine($"gradcam: interrupted; the photos done are kept in {outputDirectory}, and the same " +
                "command resumes");
            return ExitCodes.Cancelled;
        }
        if (!quiet)
        {
            error.WriteLine($"gradcam: explained {counts.Explained} photo(s) into {outputDirectory}/" +
                $"{DatasetRun.ManifestName}" + (counts.AlreadyDone > 0 ? $" ({counts.AlreadyDone} done before)" : ""));
        }
        if (counts.Failed > 0)
        {
            error.WriteLine($"gradcam: {counts.Failed} photo(s) failed, listed with their reasons in " +
                $"{outputDirectory}/{DatasetRun.FailuresName}" + (counts.StoppedEarly
                    ? $"; stopped early at --max-failures {counts.Failed}, the rest not tried" : ""));
        }
        return counts.Failed > 0 ? ExitCodes.SomeFailed : ExitCodes.Success;
    }
}
