using GradCamSharp.Models;

namespace GradCamSharp.Methods;

/// <summary>
/// Everything the library, the command line, the web page, the evaluation and the benchmark know about one method:
/// <see cref="KnownMethods"/> holds one of these per method, and every list of methods is derived from it.
/// </summary>
public sealed record MethodDescriptor
{
    /// <summary>The name on the command line and in manifests, e.g. "gradcam".</summary>
    public required string Name { get; init; }

    /// <summary>The name in figures and on the page, e.g. "Grad-CAM".</summary>
    public required string Title { get; init; }

    /// <summary>What the method computes, in one line.</summary>
    public required string Summary { get; init; }

    /// <summary>The paper it implements.</summary>
    public required string Paper { get; init; }

    /// <summary>
    /// Whether it back-propagates (false for Eigen-CAM and Score-CAM, which only run forward passes).
    /// </summary>
    public bool NeedsGradients { get; init; } = true;

    /// <summary>
    /// Whether it scores many perturbed copies of the input (masked, occluded, ablated, noisy, interpolated) in
    /// batches: what <c>--batch-size</c> sizes, what reports its progress, and what bench times against as many plain
    /// forwards.
    /// </summary>
    public bool PerturbsInputs { get; init; }

    /// <summary>Whether its target must be a class (Score-CAM scores masked inputs per class).</summary>
    public bool NeedsClassTarget { get; init; }

    /// <summary>Whether it is one of the paper's four maps, which <c>all</c> asks for.</summary>
    public bool InAll { get; init; }

    /// <summary>Whether it reads a target layer (CAM methods) rather than only the input.</summary>
    public bool UsesLayer { get; init; } = true;

    /// <summary>
    /// Whether it combines several layers itself (RefineCAM): a set given several layers creates it once, with all of
    /// them as <see cref="CamOptions.Layers"/>, instead of once per layer with the maps fused afterwards.
    /// </summary>
    public bool CombinesLayers { get; init; }

    /// <summary>
    /// Why the method cannot run on a model, or null when it can: what a command that runs every method by default
    /// skips with a note rather than failing on.
    /// </summary>
    public Func<IExplainableModel, string?> Obstacle { get; init; } = _ => null;

    /// <summary>Creates the method for a model.</summary>
    public required Func<IExplainableModel, CamOptions, Explainer> Create { get; init; }
}
