using GradCamSharp.Maps;
using GradCamSharp.Methods;
using GradCamSharp.Models;
using GradCamSharp.Targets;
using TorchSharp;
using static TorchSharp.torch;

namespace GradCamSharp.Evaluation;

/// <summary>
/// Occlusion sensitivity (Zeiler and Fergus 2014): how much the target score drops when a grey patch hides each region.
/// The Grad-CAM paper (sec. 5.2) measures faithfulness as the rank correlation between this map and an explanation.
/// </summary>
public static class Occlusion
{
    /// <summary>The score drop for every patch position, on the grid of patch centres.</summary>
    /// <param name="model">The model.</param>
    /// <param name="input">[1, C, H, W] one image.</param>
    /// <param name="target">The score to watch (its first column).</param>
    /// <param name="options">Patch, stride and fill.</param>
    /// <returns>A map whose cell (i, j) is score(original) - score(patch at row i, column j).</returns>
    public static Heatmap Map(IExplainableModel model, Tensor input, ITarget target, OcclusionOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(target);
        options ??= new OcclusionOptions();
        if (input.dim() != 4 || input.shape[0] != 1)
            throw new ArgumentException("occlusion takes one [1, C, H, W] image");
        using DisposeScope scope = NewDisposeScope();
        using IDisposable state = model.BeginExplanation();
        using var noGrad = no_grad();
        var scorer = new PerturbationScorer(model, input, target);
        return OcclusionSensitivity.Drops(input, scorer.Score, options.Patch, options.Stride, options.Fill,
            options.BatchSize);
    }
}
