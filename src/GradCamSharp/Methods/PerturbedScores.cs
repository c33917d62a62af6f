using static TorchSharp.torch;

namespace GradCamSharp.Methods;

/// <summary>
/// The scores of one pass's perturbed inputs, by method and sample: a perturbation method (Score-CAM's masked inputs,
/// Ablation-CAM's ablated maps, occlusion's patched copies) makes the same inputs for every target of a sample, so the
/// scores of all the classes the sample's targets ask are computed in one round of forward passes and read by each
/// target in turn. The scores live as long as the pass's dispose scope.
/// </summary>
internal sealed class PerturbedScores
{
    private readonly Dictionary<(string Method, int Sample), (IReadOnlyList<int> Classes, Tensor Scores)> kept = [];

    /// <summary>[total] the values of <paramref name="classIndex"/>.</summary>
    /// <param name="method">The method whose perturbations these are.</param>
    /// <param name="sample">The sample of the pass.</param>
    /// <param name="classIndex">The class asked now.</param>
    /// <param name="classes">Every class the sample's targets ask in the pass.</param>
    /// <param name="score">Given class indices, [total, classes] what the method reads of its perturbed inputs: their
    /// scores (occlusion: the unoccluded score minus theirs).</param>
    public Tensor Of(string method, int sample, int classIndex, IReadOnlyList<int> classes,
        Func<IReadOnlyList<int>, Tensor> score)
    {
        if (!kept.TryGetValue((method, sample), out var entry) || !entry.Classes.Contains(classIndex))
        {
            IReadOnlyList<int> asked = classes.Contains(classIndex) ? [.. classes.Distinct()] : [classIndex];
            entry = (asked, score(asked));
            kept[(method, sample)] = entry;
        }
        int column = entry.Classes.ToList().IndexOf(classIndex);
        return entry.Scores.select(1, column);
    }
}
