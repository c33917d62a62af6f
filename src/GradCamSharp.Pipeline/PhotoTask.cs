namespace GradCamSharp.Pipeline;

/// <summary>
/// What a pipeline does to each photo, apart from where the photos come from and where the files go: run over
/// photos given one by one (<see cref="PhotoBatch"/>, all or nothing) or over a dataset
/// (<see cref="Datasets.DatasetRun"/>, streamed and resumable).
/// </summary>
/// <param name="Settings">A canonical description of everything that shapes the output (the model, the methods, the
/// question...): what a resumed run or a merge must share (see <see cref="Datasets.DatasetRun.HashOf"/>).</param>
/// <param name="ExplainOne">Explains one decoded photo and adds its files to the output it is given.</param>
public sealed record PhotoTask(string Settings, Func<LoadedPhoto, IPhotoOutput, IEnumerable<ManifestEntry>> ExplainOne)
{
    /// <summary>
    /// Explains several photos through the model at once (one forward pass, one backward pass per target), each
    /// photo's files to its own output; null when the task explains one photo at a time.
    /// </summary>
    public Func<IReadOnlyList<LoadedPhoto>, IReadOnlyList<IPhotoOutput>, IReadOnlyList<IReadOnlyList<ManifestEntry>>>?
        ExplainBatch { get; init; }
}
