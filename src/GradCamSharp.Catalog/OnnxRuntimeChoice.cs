using GradCamSharp.Models;
using GradCamSharp.Onnx;
using GradCamSharp.OnnxRuntime;

namespace GradCamSharp.Catalog;

/// <summary>
/// Whether imported ONNX models run in ONNX Runtime where no gradient is needed (<see cref="OnnxRuntimeHybridModel"/>),
/// and who hears of a part that falls back to TorchSharp.
/// </summary>
/// <param name="Enabled">False runs every pass in TorchSharp.</param>
/// <param name="Notice">Receives one line per part ONNX Runtime cannot run.</param>
public sealed record OnnxRuntimeChoice(bool Enabled = true, Action<string>? Notice = null)
{
    /// <summary>ONNX Runtime where it can, fallbacks unreported.</summary>
    public static OnnxRuntimeChoice Default { get; } = new();

    /// <summary>TorchSharp for every pass.</summary>
    public static OnnxRuntimeChoice TorchSharpOnly { get; } = new(false);

    /// <summary><paramref name="model"/> as this choice runs it (the result owns it).</summary>
    public IExplainableModel Wrap(OnnxExplainableModel model) =>
        Enabled ? new OnnxRuntimeHybridModel(model, Notice) : model;
}
