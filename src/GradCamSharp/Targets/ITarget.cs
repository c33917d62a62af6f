using static TorchSharp.torch;

namespace GradCamSharp.Targets;

/// <summary>
/// Chooses the differentiable scalar(s) to explain from a model output: a class logit, the top classes, a caption's
/// log-likelihood, an answer's score. Scores are taken before any softmax (Grad-CAM, sec. 3).
/// </summary>
public interface ITarget
{
    /// <summary>Builds the scores to explain for every sample of a batch.</summary>
    /// <param name="output">The model output for the whole batch, batch first.</param>
    /// <returns>One or more score columns; each holds one scalar per sample.</returns>
    IReadOnlyList<TargetScore> Scores(Tensor output);
}
