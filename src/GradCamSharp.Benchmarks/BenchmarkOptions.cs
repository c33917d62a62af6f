namespace GradCamSharp.Benchmarks;

/// <summary>What <see cref="Benchmark"/> measures.</summary>
public sealed record BenchmarkOptions
{
    /// <summary>A TorchVision architecture name (random weights) or an .onnx file.</summary>
    public required string Model { get; init; }

    /// <summary>Images per batch.</summary>
    public int Batch { get; init; } = 1;

    /// <summary>Methods to time (see <c>KnownMethods</c>), plus "gradcam-top5"; empty means all.</summary>
    public IReadOnlyList<string> Methods { get; init; } = [];

    /// <summary>Intra-op threads for LibTorch and ONNX Runtime; 0 keeps their defaults.</summary>
    public int Threads { get; init; }

    /// <summary>The fewest timed runs a median is taken over.</summary>
    public const int MinimumRuns = 10;

    /// <summary>Timed runs per measurement (the median is reported); at least <see cref="MinimumRuns"/>.</summary>
    public int Runs { get; init; } = MinimumRuns;

    /// <summary>Untimed runs first.</summary>
    public int Warmup { get; init; } = 3;

    /// <summary>For an ONNX model: the TorchVision architecture to compare its imported forward with.</summary>
    public string? Native { get; init; }

    /// <summary>Grad-CAM explanations in the memory-growth loop (0 skips it).</summary>
    public int GrowthIterations { get; init; } = 1000;
}
