using GradCamSharp.Targets;
using static TorchSharp.torch;

namespace GradCamSharp.Methods;

/// <summary>
/// Several methods on one model, run together: methods that read the same target layer share one forward pass and
/// one backward pass per score, so the paper's four maps (Grad-CAM, Guided Backprop, Guided Grad-CAM, counterfactual)
/// cost what Guided Grad-CAM alone costs.
/// </summary>
public sealed class MethodSet : IExplainer
{
    private readonly Explainer[] _methods;

    /// <summary>Runs <paramref name="methods"/> together; they must explain the same model.</summary>
    public MethodSet(IReadOnlyList<Explainer> methods)
    {
        ArgumentNullException.ThrowIfNull(methods);
        if (methods.Count == 0) throw new ArgumentException("a method set needs at least one method", nameof(methods));
        if (methods.Any(m => !ReferenceEquals(m.Model, methods[0].Model)))
            throw new ArgumentException("the methods of a set must explain the same model", nameof(methods));
        _methods = [.. methods];
    }

    /// <summary>The methods, in the order their explanations are returned for each target.</summary>
    public IReadOnlyList<Explainer> Methods => _methods;

    /// <inheritdoc />
    public string Name => string.Join("+", _methods.Select(m => m.Name));

    /// <inheritdoc />
    /// <returns>Explanations ordered by sample, then target, then method.</returns>
    public IReadOnlyList<Explanation> Explain(Tensor input, IReadOnlyList<IReadOnlyList<ITarget>> targetsPerSample) =>
        ExplanationPass.Explain(_methods[0].Model, input, targetsPerSample, _methods);
}
