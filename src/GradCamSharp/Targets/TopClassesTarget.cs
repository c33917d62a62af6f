using static TorchSharp.torch;

namespace GradCamSharp.Targets;

/// <summary>The K highest logits of each sample, each its own score column (column 0 is the top-1 class).</summary>
public sealed class TopClassesTarget : ITarget
{
    /// <summary>The top-1 class: the default target.</summary>
    public static TopClassesTarget Top1 { get; } = new(1);

    /// <summary>
    /// Targets the <paramref name="count"/> best classes, never those of <paramref name="excluded"/>.
    /// </summary>
    /// <param name="count">How many classes.</param>
    /// <param name="excluded">Classes that are not answers, such as a "background" class.</param>
    /// <exception cref="UsageException">Fewer than one class (more than the model has is refused at explain).
    /// </exception>
    public TopClassesTarget(int count, IReadOnlyCollection<int>? excluded = null)
    {
        if (count < 1) throw new UsageException($"the top classes are at least 1, got {count}");
        Count = count;
        Excluded = excluded ?? [];
    }

    /// <summary>How many classes, K.</summary>
    public int Count { get; }

    /// <summary>Classes never chosen.</summary>
    public IReadOnlyCollection<int> Excluded { get; }

    /// <inheritdoc />
    /// <remarks>On a segmenter's [N, classes, H, W] output the classes that cover the most pixels, each scored over
    /// its own pixels (see <see cref="SegmentationTarget"/>).</remarks>
    public IReadOnlyList<TargetScore> Scores(Tensor output)
    {
        ArgumentNullException.ThrowIfNull(output);
        // A segmenter's classes are ranked by the pixels they cover, and each is scored over its own pixels.
        Tensor? own = SegmentationTarget.IsDense(output)
            ? nn.functional.one_hot(output.detach().argmax(1), output.shape[1]).permute(0, 3, 1, 2).to(output.dtype)
            : null;
        Tensor logits = own is null ? output.reshape(output.shape[0], -1) : (output * own).sum([2, 3]);
        Tensor ranked = own is null ? logits : own.sum([2, 3]);
        int candidates = (int)logits.shape[1] - Excluded.Count(c => c < logits.shape[1]);
        if (Count > candidates)
        {
            throw new UsageException($"the top {Count} classes were asked for, but the model has only {candidates}" +
                (Excluded.Count > 0 ? " that are answers" : ""));
        }
        int count = Count;
        Tensor ranking = ranked.detach().clone();
        foreach (int excluded in Excluded.Where(c => c < logits.shape[1]))
            ranking[.., excluded] = float.NegativeInfinity;
        Tensor indices = ranking.topk(count, dim: 1).indexes;
        long[] flat = indices.cpu().data<long>().ToArray();
        int samples = (int)logits.shape[0];
        var columns = new List<TargetScore>(count);
        for (int rank = 0; rank < count; rank++)
        {
            Tensor column = indices[.., rank..(rank + 1)];
            int[] classes = Enumerable.Range(0, samples).Select(sample => (int)flat[sample * count + rank]).ToArray();
            columns.Add(new TargetScore(logits.gather(1, column).squeeze(1), classes,
                rank == 0 ? "top-1" : $"top-{rank + 1}"));
        }
        return columns;
    }
}
