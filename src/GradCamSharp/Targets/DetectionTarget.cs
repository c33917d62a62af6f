using static TorchSharp.torch;

namespace GradCamSharp.Targets;

/// <summary>
/// One detection of a single-tensor (YOLO-style) detector, whose output is a map [N, 5 + classes, H, W] of, per cell,
/// an objectness logit, four box terms and the class logits: the detection's score at the cell that produced it, its
/// objectness logit plus its class logit (pytorch-grad-cam's detection targets likewise sum the scores of the
/// detection they explain).
/// </summary>
public sealed class DetectionTarget : ITarget
{
    /// <summary>The channels before the class logits: objectness, then the box's x, y, width and height.</summary>
    public const int ClassOffset = 5;

    /// <summary>Targets the detection of class <paramref name="classIndex"/> at cell (<paramref name="row"/>,
    /// <paramref name="column"/>).</summary>
    /// <exception cref="UsageException">A negative cell or class.</exception>
    public DetectionTarget(int row, int column, int classIndex)
    {
        if (row < 0 || column < 0 || classIndex < 0)
            throw new UsageException($"a detection's cell and class are 0 or more, got ({row}, {column}) {classIndex}");
        (Row, Column, ClassIndex) = (row, column, classIndex);
    }

    /// <summary>The cell's row.</summary>
    public int Row { get; }

    /// <summary>The cell's column.</summary>
    public int Column { get; }

    /// <summary>The detected class.</summary>
    public int ClassIndex { get; }

    /// <inheritdoc />
    /// <exception cref="UsageException">The output is no detector's map, or the cell or class is outside it.
    /// </exception>
    public IReadOnlyList<TargetScore> Scores(Tensor output)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (output.dim() != 4 || output.shape[1] <= ClassOffset)
        {
            throw new UsageException($"a detection target needs a detector's [N, 5 + classes, H, W] output, got " +
                $"[{string.Join(", ", output.shape)}]");
        }
        if (Row >= output.shape[2] || Column >= output.shape[3] || ClassOffset + ClassIndex >= output.shape[1])
        {
            throw new UsageException($"detection ({Row}, {Column}) of class {ClassIndex} is outside the output " +
                $"[{string.Join(", ", output.shape)}]");
        }
        Tensor values = output[.., 0, Row, Column] + output[.., ClassOffset + ClassIndex, Row, Column];
        return [new TargetScore(values, Enumerable.Repeat(ClassIndex, (int)output.shape[0]).ToArray(),
            $"class {ClassIndex} at ({Row}, {Column})")];
    }
}
