using static TorchSharp.torch;

namespace GradCamSharp.Targets;

/// <summary>
/// The log-probability of a word sequence under a model that reads it teacher-forced and outputs [N, T, V] logits,
/// where output[:, t] predicts word t: a whole caption (every position), one word given its prefix (one position),
/// or any subset. Scores are summed log-softmax values, so a caption's score is its log-likelihood.
/// </summary>
public sealed class SequenceTarget : ITarget
{
    private readonly long[] _tokens;
    private readonly long[] _positions;

    /// <summary>Targets <paramref name="tokens"/> at <paramref name="positions"/> (all of them by default).</summary>
    /// <param name="tokens">The word ids the output predicts, position by position.</param>
    /// <param name="positions">Which positions count; null for the whole sequence.</param>
    /// <param name="name">How the score is described in manifests, e.g. "caption" or "word 3 'red'".</param>
    public SequenceTarget(IReadOnlyList<int> tokens, IReadOnlyList<int>? positions = null, string name = "sequence")
    {
        ArgumentNullException.ThrowIfNull(tokens);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (tokens.Count == 0)
            throw new ArgumentException("a sequence target needs at least one token", nameof(tokens));
        positions ??= Enumerable.Range(0, tokens.Count).ToArray();
        if (positions.Count == 0 || positions.Any(p => p < 0 || p >= tokens.Count))
            throw new ArgumentException($"positions must lie in 0..{tokens.Count - 1}", nameof(positions));
        _tokens = tokens.Select(t => (long)t).ToArray();
        _positions = positions.Select(p => (long)p).ToArray();
        Name = name;
    }

    /// <summary>The description used in manifests.</summary>
    public string Name { get; }

    /// <inheritdoc />
    public IReadOnlyList<TargetScore> Scores(Tensor output)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (output.dim() != 3 || output.shape[1] < _tokens.Length)
        {
            throw new ArgumentException($"a sequence target of {_tokens.Length} tokens needs [N, T >= " +
                $"{_tokens.Length}, V] " +
                $"logits, got [{string.Join(", ", output.shape)}]");
        }
        long vocabulary = output.shape[2];
        if (_tokens.Any(t => t < 0 || t >= vocabulary))
            throw new UsageException($"token ids must lie in 0..{vocabulary - 1}");
        using Tensor positions = tensor(_positions);
        using Tensor tokens = tensor(_tokens).index_select(0, positions);
        Tensor logits = output.index_select(1, positions);
        Tensor chosen = tokens.reshape(1, -1, 1).expand(output.shape[0], -1, 1);
        Tensor picked = logits.gather(2, chosen);
        // log p = -softplus(z), z = log sum over the other words of exp(their logit - the word's logit): the same value
        // as log_softmax, but its gradient, sigmoid(z) times the word's logit against the others', stays exact when
        // the model is sure of the word. log_softmax's gradient at the word is 1 - p, which rounds to 0 once p is
        // within 6e-8 of 1, leaving only the others' terms: a confident word's map then showed the evidence against
        // it (all negative, blank after the ReLU).
        Tensor others = logits.scatter(2, chosen, full_like(picked, double.NegativeInfinity)) - picked;
        Tensor logProbabilities = -nn.functional.softplus(others.logsumexp(2));
        return [new TargetScore(logProbabilities.sum(1), null, Name)];
    }
}
