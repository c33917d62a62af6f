using System.Text.Json.Serialization;

namespace GradCamSharp.Benchmarks;

/// <summary>Everything <c>gradcam bench</c> prints.</summary>
public sealed record BenchmarkReport
{
    /// <summary>The model measured.</summary>
    [JsonPropertyName("model")] public required string Model { get; init; }

    /// <summary>The processor, from /proc/cpuinfo.</summary>
    [JsonPropertyName("cpu")] public required string Cpu { get; init; }

    /// <summary>Images per batch.</summary>
    [JsonPropertyName("batch")] public required int Batch { get; init; }

    /// <summary>LibTorch's intra-op threads.</summary>
    [JsonPropertyName("threads")] public required int Threads { get; init; }

    /// <summary>Timed runs per row.</summary>
    [JsonPropertyName("runs")] public required int Runs { get; init; }

    /// <summary>The measurements; the first is forward-only inference.</summary>
    [JsonPropertyName("rows")] public required IReadOnlyList<BenchmarkRow> Rows { get; init; }

    /// <summary>
    /// Imported forward divided by the native TorchSharp forward of the same architecture, if measured.
    /// </summary>
    [JsonPropertyName("import_to_native")] public double? ImportToNative { get; init; }

    /// <summary>Imported forward divided by ONNX Runtime's forward, if measured.</summary>
    [JsonPropertyName("import_to_onnxruntime")] public double? ImportToOnnxRuntime { get; init; }

    /// <summary>
    /// Each perturbation method measured against its floor (the same number of plain forward passes).
    /// </summary>
    [JsonPropertyName("floors")] public IReadOnlyList<FloorRatio> Floors { get; init; } = [];

    /// <summary>
    /// For an ONNX model: each row of the default (hybrid) path as a ratio to ONNX Runtime's own forward pass.
    /// </summary>
    [JsonPropertyName("to_onnxruntime_forward")] public IReadOnlyList<BenchmarkRow> ToOnnxRuntimeForward { get; init; }
        = [];

    /// <summary>
    /// The highest resident memory of the whole run, in MB: for a run of one method, what a fresh process explaining
    /// with it needs (the runtime, the model and the pass).
    /// </summary>
    [JsonPropertyName("process_peak_mb")] public double ProcessPeakMegabytes { get; init; }

    /// <summary>Default methods that cannot run on this model, each "method: reason".</summary>
    [JsonPropertyName("skipped")] public IReadOnlyList<string> Skipped { get; init; } = [];

    /// <summary>How many explanations the growth loop ran.</summary>
    [JsonPropertyName("growth_iterations")] public int GrowthIterations { get; init; }

    /// <summary>Resident memory growth over the loop, in MB.</summary>
    [JsonPropertyName("growth_mb")] public double? GrowthMegabytes { get; init; }
}
