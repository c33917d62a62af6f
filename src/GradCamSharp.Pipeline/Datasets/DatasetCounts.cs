namespace GradCamSharp.Pipeline.Datasets;

/// <summary>What a dataset run (or a merge of shards) did.</summary>
public sealed record DatasetCounts
{
    /// <summary>The photos of the run's share.</summary>
    public int Photos { get; init; }

    /// <summary>Photos a previous run into the same folder had already explained (skipped).</summary>
    public int AlreadyDone { get; init; }

    /// <summary>Photos explained by this run.</summary>
    public int Explained { get; init; }

    /// <summary>Photos that failed (each in <c>failures.jsonl</c>).</summary>
    public int Failed { get; init; }

    /// <summary>Manifest lines written.</summary>
    public int Entries { get; init; }

    /// <summary>The run stopped early, having reached its most failures.</summary>
    public bool StoppedEarly { get; init; }
}
