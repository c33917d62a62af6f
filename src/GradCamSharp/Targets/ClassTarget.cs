using static TorchSharp.torch;

namespace GradCamSharp.Targets;

/// <summary>The logit of one class: <c>output[:, ClassIndex]</c> (of a segmenter, over the pixels it assigns to the
/// class).</summary>
public sealed class ClassTarget : ITarget
{
    /// <summary>Targets class <paramref name="classIndex"/>.</summary>
    /// <exception cref="UsageException">A negative class (one past the model's classes is refused at explain).
    /// </exception>
    public ClassTarget(int classIndex)
    {
        if (classIndex < 0) throw new UsageException($"a class index is 0 or more, got {classIndex}");
        ClassIndex = classIndex;
    }

    /// <summary>The class, an index into the output's last dimension.</summary>
    public int ClassIndex { get; }

    /// <inheritdoc />
    /// <remarks>On a segmenter's [N, classes, H, W] output: the class's scores summed over the pixels the model
    /// assigns to it (see <see cref="SegmentationTarget"/>).</remarks>
    public IReadOnlyList<TargetScore> Scores(Tensor output)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (SegmentationTarget.IsDense(output)) return new SegmentationTarget(ClassIndex).Scores(output);
        long classes = output.shape[^1];
        if (ClassIndex >= classes)
        {
            throw new UsageException(
                $"class {ClassIndex} is out of range: the model has {classes} classes (0..{classes - 1})");
        }
        Tensor values = output.reshape(output.shape[0], -1)[.., ClassIndex];
        int[] classIndices = Enumerable.Repeat(ClassIndex, (int)output.shape[0]).ToArray();
        return [new TargetScore(values, classIndices, $"class {ClassIndex}")];
    }
}
