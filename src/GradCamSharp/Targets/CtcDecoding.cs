using static TorchSharp.torch;

namespace GradCamSharp.Targets;

/// <summary>One token read by greedy CTC decoding, with the frames it was read on.</summary>
/// <param name="Token">The class index (never the blank).</param>
/// <param name="Frames">The consecutive frames whose best class is this token, first to last.</param>
public sealed record CtcToken(int Token, IReadOnlyList<int> Frames);

/// <summary>
/// Greedy (best-path) decoding of a CTC output (Graves et al., ICML 2006): the best class of each frame, repeats
/// merged, blanks removed. Each decoded token keeps the run of frames it came from, which is what a per-character
/// explanation differentiates.
/// </summary>
public static class CtcDecoding
{
    /// <summary>The best class of every frame of one sample's [T, C] scores (logits or probabilities).</summary>
    public static int[] BestPath(Tensor scores)
    {
        ArgumentNullException.ThrowIfNull(scores);
        if (scores.dim() != 2) throw new ArgumentException($"CTC scores must be [T, C], got [{string.Join(", ",
            scores.shape)}]", nameof(scores));
        using Tensor best = scores.argmax(1).to(ScalarType.Int64).cpu();
        return best.data<long>().Select(v => (int)v).ToArray();
    }

    /// <summary>The tokens of a best path: runs of one class merged, <paramref name="blank"/> dropped.</summary>
    /// <param name="path">The best class of each frame.</param>
    /// <param name="blank">The blank class (PaddleOCR: 0).</param>
    public static IReadOnlyList<CtcToken> Collapse(IReadOnlyList<int> path, int blank = 0)
    {
        ArgumentNullException.ThrowIfNull(path);
        var tokens = new List<CtcToken>();
        int start = 0;
        for (int t = 1; t <= path.Count; t++)
        {
            if (t < path.Count && path[t] == path[start]) continue;
            if (path[start] != blank)
                tokens.Add(new CtcToken(path[start], Enumerable.Range(start, t - start).ToArray()));
            start = t;
        }
        return tokens;
    }

    /// <summary>Greedy decoding of one sample's [T, C] scores.</summary>
    public static IReadOnlyList<CtcToken> Greedy(Tensor scores, int blank = 0) => Collapse(BestPath(scores), blank);
}
