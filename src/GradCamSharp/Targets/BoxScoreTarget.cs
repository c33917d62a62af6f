using static TorchSharp.torch;

namespace GradCamSharp.Targets;

/// <summary>
/// A detection of a detector that lists its detections (<see cref="BoxList"/>), found again in each output by its box
/// and label, as pytorch-grad-cam's <c>FasterRCNNBoxScoreTarget</c> does: the output box that overlaps it most, if
/// that IoU exceeds the threshold and the label is the same, scores its IoU plus its score (so the gradient reaches
/// both the class score and the box regression); otherwise 0. Found again rather than by position, so that a
/// perturbed input whose list is reordered still scores the same detection.
/// </summary>
public sealed class BoxScoreTarget : ITarget
{
    /// <summary>Targets the detection of <paramref name="label"/> in the box (x0, y0)-(x1, y1), input pixels.</summary>
    /// <exception cref="UsageException">A negative label, an empty box or a threshold outside [0, 1).</exception>
    public BoxScoreTarget(int label, float x0, float y0, float x1, float y1, float iouThreshold = 0.5f)
    {
        if (label < 0) throw new UsageException($"a detection's label is 0 or more, got {label}");
        if (!(x1 > x0 && y1 > y0)) throw new UsageException($"an empty box ({x0}, {y0})-({x1}, {y1})");
        if (iouThreshold is not (>= 0 and < 1))
            throw new UsageException($"the IoU threshold is in [0, 1), got {iouThreshold}");
        (Label, X0, Y0, X1, Y1, IouThreshold) = (label, x0, y0, x1, y1, iouThreshold);
    }

    /// <summary>The detection's label.</summary>
    public int Label { get; }

    /// <summary>The box's left edge.</summary>
    public float X0 { get; }

    /// <summary>The box's top edge.</summary>
    public float Y0 { get; }

    /// <summary>The box's right edge.</summary>
    public float X1 { get; }

    /// <summary>The box's bottom edge.</summary>
    public float Y1 { get; }

    /// <summary>The least IoU at which an output box is the same detection (0.5, as pytorch-grad-cam's).</summary>
    public float IouThreshold { get; }

    /// <inheritdoc />
    /// <exception cref="UsageException">The output is no box list.</exception>
    public IReadOnlyList<TargetScore> Scores(Tensor output)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (!BoxList.Holds(output))
        {
            throw new UsageException($"a box score target needs a detector's box list [N, D, {BoxList.Columns}], " +
                $"got [{string.Join(", ", output.shape)}]");
        }
        long samples = output.shape[0];
        int[] labels = Enumerable.Repeat(Label, (int)samples).ToArray();
        string name = $"class {Label} in ({X0:0.#}, {Y0:0.#})-({X1:0.#}, {Y1:0.#})";
        if (output.shape[1] == 0) return [new TargetScore(output.sum([1, 2]), labels, name)];
        // torchvision's box_iou, term for term: at a tie (the detection's own box) maximum and minimum share the
        // gradient between their arguments, so the gradients equal the library's.
        Tensor corners = tensor(new[] { X0, Y0, X1, Y1 }, output.dtype);
        Tensor boxes = output[.., .., ..4];
        Tensor topLeft = maximum(boxes[.., .., ..2], corners[..2]);
        Tensor bottomRight = minimum(boxes[.., .., 2..], corners[2..]);
        Tensor size = (bottomRight - topLeft).clamp_min(0);
        Tensor intersection = size[.., .., 0] * size[.., .., 1];
        Tensor areas = (boxes[.., .., 2] - boxes[.., .., 0]) * (boxes[.., .., 3] - boxes[.., .., 1]);
        Tensor iou = intersection / (areas + (X1 - X0) * (Y1 - Y0) - intersection);
        Tensor best = iou.argmax(1, keepdim: true);
        Tensor bestIou = iou.gather(1, best).squeeze(1);
        Tensor bestScore = output[.., .., BoxList.ScoreColumn].gather(1, best).squeeze(1);
        Tensor bestLabel = output[.., .., BoxList.LabelColumn].gather(1, best).squeeze(1);
        Tensor same = bestIou.gt(IouThreshold).logical_and(bestLabel.round().eq(Label));
        return [new TargetScore((bestIou + bestScore) * same.to(output.dtype), labels, name)];
    }
}
