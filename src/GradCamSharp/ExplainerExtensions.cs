using GradCamSharp.Methods;
using GradCamSharp.Targets;
using static TorchSharp.torch;

namespace GradCamSharp;

/// <summary>Conveniences over <see cref="IExplainer"/>.</summary>
public static class ExplainerExtensions
{
    /// <summary>
    /// Explains every sample of <paramref name="input"/> for the same targets (the top-1 class if none).
    /// </summary>
    public static IReadOnlyList<Explanation> Explain(this IExplainer explainer, Tensor input, params ITarget[] targets)
    {
        ArgumentNullException.ThrowIfNull(explainer);
        return explainer.Explain(input, SameForEverySample(input, targets));
    }

    /// <summary><paramref name="targets"/> for each sample of <paramref name="input"/>.</summary>
    internal static IReadOnlyList<IReadOnlyList<ITarget>> SameForEverySample(Tensor input, ITarget[] targets)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(targets);
        IReadOnlyList<ITarget> shared = targets;
        return Enumerable.Repeat(shared, (int)input.shape[0]).ToArray();
    }

    /// <summary>
    /// Explains every sample of <paramref name="input"/> for the same targets, stopping between batches when
    /// <paramref name="cancellation"/> fires and telling <paramref name="progress"/> after each batch of perturbed
    /// inputs.
    /// </summary>
    public static IReadOnlyList<Explanation> Explain(this IExplainer explainer, Tensor input,
        CancellationToken cancellation, IProgress<MethodProgress>? progress, params ITarget[] targets)
    {
        ArgumentNullException.ThrowIfNull(explainer);
        return explainer.Explain(input, SameForEverySample(input, targets),
            new RunOptions { Cancellation = cancellation, Progress = progress });
    }
}
