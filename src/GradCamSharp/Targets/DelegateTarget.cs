using static TorchSharp.torch;

namespace GradCamSharp.Targets;

/// <summary>
/// A caller's own differentiable score: any function from the model output to one scalar per sample, e.g. a caption's
/// log-likelihood, a VQA answer's logit, or a similarity to a concept.
/// </summary>
public sealed class DelegateTarget : ITarget
{
    private readonly Func<Tensor, Tensor> _score;

    /// <summary>Wraps <paramref name="score"/>, which maps the output to an [N] tensor.</summary>
    /// <param name="name">How the score is described in manifests.</param>
    /// <param name="score">The scoring function; it must stay differentiable.</param>
    /// <param name="classIndex">The class the score stands for, if any.</param>
    public DelegateTarget(string name, Func<Tensor, Tensor> score, int? classIndex = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(score);
        Name = name;
        _score = score;
        ClassIndex = classIndex;
    }

    /// <summary>The description used in manifests.</summary>
    public string Name { get; }

    /// <summary>The class the score stands for, if any.</summary>
    public int? ClassIndex { get; }

    /// <inheritdoc />
    public IReadOnlyList<TargetScore> Scores(Tensor output)
    {
        Tensor values = _score(output);
        long samples = output.shape[0];
        if (values.shape.Length != 1 || values.shape[0] != samples)
            throw new InvalidOperationException($"target '{Name}' returned shape " +
                $"[{string.Join(", ", values.shape)}]; expected [{samples}]");
        IReadOnlyList<int>? classes = ClassIndex is int c ? Enumerable.Repeat(c, (int)samples).ToArray() : null;
        return [new TargetScore(values, classes, Name)];
    }
}
