using static TorchSharp.torch;

namespace GradCamSharp.Targets;

/// <summary>
/// Scores of a CTC text recogniser's [N, T, C] output (logits; the log-softmax over C is taken here): the
/// log-probability of <see cref="Token"/> summed over <see cref="Frames"/>, the frames greedy decoding read it on.
/// Explaining it shows where the model saw one character; with every frame of a best path and its class at each
/// (<see cref="WholePath"/>), it is the decoded string's log-probability, the caption analogue.
/// </summary>
public sealed class CtcTokenTarget : ITarget
{
    private readonly long[] _frames;
    private readonly long[] _classes;

    /// <summary>The log-probability of <paramref name="token"/> over <paramref name="frames"/>.</summary>
    /// <param name="token">The class index.</param>
    /// <param name="frames">The frames (time steps) that count.</param>
    /// <param name="name">How the score is described, e.g. "character 3 'k'".</param>
    public CtcTokenTarget(int token, IReadOnlyList<int> frames, string name = "token")
        : this(frames?.Select(_ => token).ToArray() ?? throw new ArgumentNullException(nameof(frames)), frames, name)
    {
        Token = token;
    }

    private CtcTokenTarget(IReadOnlyList<int> classes, IReadOnlyList<int> frames, string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (frames.Count == 0) throw new ArgumentException("a CTC target needs at least one frame", nameof(frames));
        if (frames.Any(f => f < 0)) throw new ArgumentException("frames must not be negative", nameof(frames));
        _frames = frames.Select(f => (long)f).ToArray();
        _classes = classes.Select(c => (long)c).ToArray();
        Frames = frames;
        Name = name;
    }

    /// <summary>The token, or -1 for a whole path.</summary>
    public int Token { get; private init; } = -1;

    /// <summary>The frames that count.</summary>
    public IReadOnlyList<int> Frames { get; }

    /// <summary>The description used in manifests.</summary>
    public string Name { get; }

    /// <summary>
    /// The log-probability of a whole best path (blanks included, one class per frame): the decoded string's score.
    /// </summary>
    public static CtcTokenTarget WholePath(IReadOnlyList<int> path, string name = "text")
    {
        ArgumentNullException.ThrowIfNull(path);
        return new CtcTokenTarget(path, Enumerable.Range(0, path.Count).ToArray(), name);
    }

    /// <summary>
    /// The log-probability of several decoded tokens (a word), each over its own frames: the sum of their scores.
    /// </summary>
    public static CtcTokenTarget Tokens(IReadOnlyList<CtcToken> tokens, string name = "tokens")
    {
        ArgumentNullException.ThrowIfNull(tokens);
        return new CtcTokenTarget(tokens.SelectMany(t => t.Frames.Select(_ => t.Token)).ToArray(),
            tokens.SelectMany(t => t.Frames).ToArray(), name);
    }

    /// <inheritdoc />
    public IReadOnlyList<TargetScore> Scores(Tensor output)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (output.dim() != 3 || output.shape[1] <= _frames.Max())
        {
            throw new UsageException($"a CTC target over frames up to {_frames.Max()} needs [N, T > {_frames.Max()}, " +
                $"C] scores, got [{string.Join(", ", output.shape)}]");
        }
        if (_classes.Any(c => c < 0 || c >= output.shape[2]))
            throw new UsageException($"CTC classes must lie in 0..{output.shape[2] - 1}");
        using Tensor frames = tensor(_frames);
        using Tensor classes = tensor(_classes);
        Tensor logProbabilities = output.index_select(1, frames).log_softmax(-1);
        Tensor picked = logProbabilities.gather(2, classes.reshape(1, -1, 1).expand(output.shape[0], -1, 1));
        return [new TargetScore(picked.squeeze(2).sum(1), null, Name)];
    }
}
