using GradCamSharp.Onnx;
using GradCamSharp.OnnxRuntime;
namespace GradCamSharp.Catalog;

/// <summary>What a user may say about a model beyond its name or file.</summary>
public sealed record ModelLoadOptions
{
    /// <summary>
    /// The TorchVision architecture of a <c>.pth</c> checkpoint; inferred from the file name when absent.
    /// </summary>
    public string? Architecture { get; init; }

    /// <summary>A label file: one class name a line, in output order.</summary>
    public string? LabelsPath { get; init; }

    /// <summary>A preprocessing preset name (see <c>KnownPreprocessing</c>) or a JSON descriptor file.</summary>
    public string? Preprocess { get; init; }

    /// <summary>
    /// When given, load the architecture with random weights from this seed instead of its trained ones (sanity
    /// checks).
    /// </summary>
    public int? RandomWeightsSeed { get; init; }

    /// <summary>
    /// With <see cref="RandomWeightsSeed"/>: which of the network's weight tensors are randomised, counted from the
    /// output down (the cascading and independent randomizations of Adebayo et al.); null, all of them.
    /// </summary>
    public WeightBand? RandomizedBand { get; init; }

    /// <summary>
    /// Concepts of the user's own: when any are given, the model's scores become one per concept, computed by a head
    /// built from the examples on the model's features (the default model's backbone, or any model's output).
    /// </summary>
    public IReadOnlyList<Concept> Concepts { get; init; } = [];

    /// <summary>
    /// Run ONNX models in ONNX Runtime up to the explained layer (and wholly where no gradient is needed), TorchSharp
    /// only after it (<see cref="OnnxRuntimeHybridModel"/>); false runs everything in TorchSharp.
    /// </summary>
    public bool OnnxRuntime { get; init; } = true;
}
