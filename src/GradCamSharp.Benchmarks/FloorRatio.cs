using System.Text.Json.Serialization;

namespace GradCamSharp.Benchmarks;

/// <summary>A perturbation method's time divided by that of its forward passes alone.</summary>
/// <param name="Method">The method.</param>
/// <param name="Forwards">Perturbed inputs it scores (forward passes of one input each).</param>
/// <param name="BatchSize">Inputs per forward pass, for the method and its floor alike.</param>
/// <param name="Ratio">The method's median time over the floor's.</param>
/// <param name="RatioToOnnxRuntime">For an ONNX model: the method's median time over that of as many forward passes of
/// a bare ONNX Runtime session at the same batch size (one image at a time where the graph takes no more).</param>
public sealed record FloorRatio(
    [property: JsonPropertyName("method")] string Method,
    [property: JsonPropertyName("forwards")] long Forwards,
    [property: JsonPropertyName("batch_size")] int BatchSize,
    [property: JsonPropertyName("ratio_to_floor")] double Ratio,
    [property: JsonPropertyName("ratio_to_onnxruntime_floor")] double? RatioToOnnxRuntime = null);
