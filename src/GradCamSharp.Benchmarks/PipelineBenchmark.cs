using System.Diagnostics;
using GradCamSharp.Pipeline;
using GradCamSharp.Catalog;

namespace GradCamSharp.Benchmarks;

/// <summary>
/// Times <c>gradcam explain</c>'s whole pipeline (decode, explain, draw, encode, write) over photos against the
/// model's own share of it: how close the work around the model comes to free.
/// </summary>
public static class PipelineBenchmark
{
    /// <summary>Explains <paramref name="photos"/> with <paramref name="methods"/>, after one untimed photo.</summary>
    /// <param name="model">The model, as <c>--model</c> takes it.</param>
    /// <param name="photos">The photo files.</param>
    /// <param name="methods">The methods (e.g. <c>all</c>).</param>
    /// <param name="progress">One line per photo.</param>
    public static PipelineReport Run(string model, IReadOnlyList<string> photos, IReadOnlyList<string> methods,
        IProgress<string>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(photos);
        ArgumentNullException.ThrowIfNull(methods);
        if (photos.Count == 0) throw new UsageException("--pipeline needs photos (--photos)");
        using LoadedModel loaded = ModelCatalog.Load(model);
        var pipeline = new ExplainPipeline(loaded);
        string folder = Path.Combine(Path.GetTempPath(), $"gradcam-bench-{Environment.ProcessId}");
        try
        {
            var settings = new ExplanationSettings { Methods = methods };
            progress?.Report($"warming up on {photos[0]}...");
            pipeline.Run(new ExplainJob { Images = [photos[0]], OutputDirectory = folder, Settings = settings,
                Overwrite = true });
            long start = Stopwatch.GetTimestamp();
            pipeline.Run(new ExplainJob { Images = photos, OutputDirectory = folder, Settings = settings,
                Overwrite = true }, progress);
            double wall = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            return new PipelineReport(loaded.Name, photos.Count, string.Join(",", methods), ProcessMemory.Cpu(),
                wall / photos.Count, pipeline.ModelTime.TotalMilliseconds / photos.Count);
        }
        finally
        {
            if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        }
    }
}

/// <summary>What <see cref="PipelineBenchmark"/> measured.</summary>
/// <param name="Model">The model's name.</param>
/// <param name="Photos">How many photos.</param>
/// <param name="Methods">The methods.</param>
/// <param name="Cpu">The processor.</param>
/// <param name="WallMillisecondsPerPhoto">The whole pipeline's time per photo.</param>
/// <param name="ModelMillisecondsPerPhoto">The model's share of it per photo.</param>
public sealed record PipelineReport(string Model, int Photos, string Methods, string Cpu,
    double WallMillisecondsPerPhoto,
    double ModelMillisecondsPerPhoto)
{
    /// <summary>Wall time over model time.</summary>
    public double Ratio => WallMillisecondsPerPhoto / ModelMillisecondsPerPhoto;
}
