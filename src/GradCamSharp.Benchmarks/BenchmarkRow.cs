using System.Text.Json.Serialization;

namespace GradCamSharp.Benchmarks;

/// <summary>One timed measurement.</summary>
/// <param name="Name">"forward", a method name, or a reference such as "onnxruntime-forward".</param>
/// <param name="MedianMilliseconds">Median wall time of one call.</param>
/// <param name="RatioToForward">Median divided by the forward-only median.</param>
/// <param name="PeakMegabytes">Peak resident memory during the runs above the resident memory before them.</param>
public sealed record BenchmarkRow(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("median_ms")] double MedianMilliseconds,
    [property: JsonPropertyName("ratio_to_forward")] double RatioToForward,
    [property: JsonPropertyName("peak_mb")] double? PeakMegabytes);
