using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace GradCamSharp.Pipeline.Datasets;

/// <summary>
/// One of <see cref="Count"/> disjoint shares of a dataset, chosen by a hash of each photo's key: the same share on
/// every machine, whatever order a file system lists the photos in, and a photo added later moves no other photo.
/// </summary>
/// <param name="Index">Which share, from 0 to <paramref name="Count"/> - 1.</param>
/// <param name="Count">How many shares.</param>
public readonly record struct Shard(int Index, int Count)
{
    /// <summary>The whole dataset.</summary>
    public static Shard All { get; } = new(0, 1);

    /// <summary>Whether the photo called <paramref name="key"/> belongs to this share.</summary>
    public bool Contains(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (Count == 1) return true;
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(key), hash);
        ulong value = BitConverter.ToUInt64(hash[..8]);
        return (int)(value % (ulong)Count) == Index;
    }

    /// <summary>"I/N", as given to <c>--shard</c>.</summary>
    public override string ToString() => $"{Index}/{Count}";

    /// <summary>
    /// <c>--shard</c>'s value: "I/N", or "auto" for the index a scheduler gives each copy of a command, from
    /// <c>JOB_COMPLETION_INDEX</c> (a Kubernetes Indexed Job), <c>SLURM_ARRAY_TASK_ID</c> minus
    /// <c>SLURM_ARRAY_TASK_MIN</c> (a Slurm job array) or <c>AWS_BATCH_JOB_ARRAY_INDEX</c> (an AWS Batch array job),
    /// with the count from <paramref name="count"/> or <c>SLURM_ARRAY_TASK_COUNT</c>.
    /// </summary>
    /// <param name="text">"I/N" or "auto"; null for the whole dataset.</param>
    /// <param name="count">The number of shards (<c>--shard-count</c>), needed with "auto" outside Slurm.</param>
    /// <param name="environment">Reads an environment variable; the process's environment when null.</param>
    /// <exception cref="UsageException">A malformed value, an index out of range, or "auto" without the variables
    /// it needs.</exception>
    public static Shard Parse(string? text, int? count = null, Func<string, string?>? environment = null)
    {
        environment ??= Environment.GetEnvironmentVariable;
        if (text is null)
        {
            if (count is not null) throw new UsageException("--shard-count needs --shard auto");
            return All;
        }
        if (string.Equals(text, "auto", StringComparison.OrdinalIgnoreCase)) return FromScheduler(count, environment);
        if (count is not null) throw new UsageException("--shard-count goes with --shard auto; --shard I/N names N");
        string[] parts = text.Split('/');
        if (parts.Length != 2 || !TryInteger(parts[0], out int index) || !TryInteger(parts[1], out int total))
            throw new UsageException($"--shard must be I/N (for example 0/4) or auto, got '{text}'");
        return Checked(index, total, $"--shard {text}");
    }

    private static Shard FromScheduler(int? count, Func<string, string?> environment)
    {
        (string source, int index) = Variable("JOB_COMPLETION_INDEX") is int job ? ("JOB_COMPLETION_INDEX", job)
            : Variable("SLURM_ARRAY_TASK_ID") is int task
                ? ("SLURM_ARRAY_TASK_ID", task - (Variable("SLURM_ARRAY_TASK_MIN") ?? 0))
            : Variable("AWS_BATCH_JOB_ARRAY_INDEX") is int batch ? ("AWS_BATCH_JOB_ARRAY_INDEX", batch)
            : throw new UsageException("--shard auto found no shard index: none of JOB_COMPLETION_INDEX (Kubernetes " +
                "Indexed Job), SLURM_ARRAY_TASK_ID (Slurm job array) or AWS_BATCH_JOB_ARRAY_INDEX (AWS Batch array " +
                "job) is set; give --shard I/N instead");
        int total = count ?? Variable("SLURM_ARRAY_TASK_COUNT") ?? throw new UsageException(
            $"--shard auto took the index {index} from {source} but needs the number of shards: give --shard-count N" +
            " (Slurm's SLURM_ARRAY_TASK_COUNT is not set)");
        return Checked(index, total, $"--shard auto ({source})");

        int? Variable(string name)
        {
            string? value = environment(name);
            if (string.IsNullOrWhiteSpace(value)) return null;
            return TryInteger(value.Trim(), out int parsed) ? parsed
                : throw new UsageException($"{name} is '{value}', not a whole number");
        }
    }

    private static Shard Checked(int index, int count, string what)
    {
        if (count < 1) throw new UsageException($"{what}: the number of shards must be at least 1, got {count}");
        if (index < 0 || index >= count)
            throw new UsageException($"{what}: the shard index must be from 0 to {count - 1}, got {index}");
        return new Shard(index, count);
    }

    private static bool TryInteger(string text, out int value) =>
        int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out value);
}
