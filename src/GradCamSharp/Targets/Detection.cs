using GradCamSharp.Maps;
using static TorchSharp.torch;

namespace GradCamSharp.Targets;

/// <summary>One detection: of a single-tensor detector, with the cell that produced it, or listed by a detector such
/// as torchvision's (<see cref="BoxList"/>); its <see cref="Target"/> explains it.</summary>
/// <param name="Box">The box, in input pixels.</param>
/// <param name="ClassIndex">The class.</param>
/// <param name="Score">sigmoid(objectness) times the class's softmax probability.</param>
/// <param name="Row">The producing cell's row (a listed detection's rank in the detector's list).</param>
/// <param name="Column">The producing cell's column (<see cref="Listed"/> for a listed detection).</param>
public sealed record Detection(Box Box, int ClassIndex, float Score, int Row, int Column)
{
    /// <summary>The <see cref="Column"/> of a listed detection (<see cref="BoxList"/>): it has no cell, and its
    /// <see cref="Row"/> is its rank in the detector's list.</summary>
    public const int Listed = -1;

    /// <summary>The target that explains this detection: its score at its cell (<see cref="DetectionTarget"/>), or
    /// for a listed detection the output box that matches it (<see cref="BoxScoreTarget"/>, set where it is made).
    /// </summary>
    public ITarget Target
    {
        get => _target ?? new DetectionTarget(Row, Column, ClassIndex);
        init => _target = value;
    }

    private readonly ITarget? _target;

    /// <summary>Whether the detection comes from a cell of a single-tensor detector's map.</summary>
    public bool HasCell => Column != Listed;

    /// <summary>
    /// The detections of one sample's output [5 + classes, H, W] (a single-tensor, YOLO-style head): per cell an
    /// objectness logit o, box terms tx, ty, tw, th and the class logits; the box's centre is ((column + sigmoid(tx)) *
    /// stride, (row + sigmoid(ty)) * stride) and its size (exp(tw), exp(th)) * <paramref name="anchor"/> input pixels,
    /// stride the input's size over the grid's. Cells scoring at least <paramref name="threshold"/> are kept, then
    /// greedy non-maximum suppression per class drops a box overlapping a better one by more than <paramref
    /// name="overlap"/> IoU (torchvision's nms; none is served for .NET).
    /// </summary>
    /// <param name="output">[5 + classes, H, W] for one sample.</param>
    /// <param name="inputWidth">The input's width in pixels.</param>
    /// <param name="inputHeight">The input's height in pixels.</param>
    /// <param name="anchor">The box size that tw = th = 0 means, in input pixels.</param>
    /// <param name="threshold">The least score kept.</param>
    /// <param name="overlap">The IoU above which the lower-scored of two boxes of a class is dropped.</param>
    /// <returns>The detections, best first.</returns>
    /// <exception cref="UsageException">The output is not such a map.</exception>
    public static IReadOnlyList<Detection> Decode(Tensor output, int inputWidth, int inputHeight, float anchor,
        float threshold = 0.5f, float overlap = 0.5f)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (output.dim() != 3 || output.shape[0] <= DetectionTarget.ClassOffset)
        {
            throw new UsageException("a single-tensor detector's output is [5 + classes, H, W] per sample, got " +
                $"[{string.Join(", ", output.shape)}]");
        }
        using var scope = NewDisposeScope();
        int rows = (int)output.shape[1], columns = (int)output.shape[2];
        float strideX = inputWidth / (float)columns, strideY = inputHeight / (float)rows;
        Tensor values = output.detach().to(ScalarType.Float32).cpu();
        Tensor probabilities = values[DetectionTarget.ClassOffset..].softmax(0);
        (Tensor best, Tensor classes) = probabilities.max(0);
        float[] scores = (values[0].sigmoid() * best).contiguous().data<float>().ToArray();
        long[] classOf = classes.contiguous().data<long>().ToArray();
        float[] x = values[1].sigmoid().contiguous().data<float>().ToArray();
        float[] y = values[2].sigmoid().contiguous().data<float>().ToArray();
        float[] w = values[3].exp().contiguous().data<float>().ToArray();
        float[] h = values[4].exp().contiguous().data<float>().ToArray();
        var candidates = new List<Detection>();
        for (int cell = 0; cell < scores.Length; cell++)
        {
            if (!(scores[cell] >= threshold)) continue;
            int row = cell / columns, column = cell % columns;
            float centreX = (column + x[cell]) * strideX, centreY = (row + y[cell]) * strideY;
            float halfWidth = Math.Min(w[cell] * anchor, 4f * inputWidth) / 2;
            float halfHeight = Math.Min(h[cell] * anchor, 4f * inputHeight) / 2;
            var box = new Box((int)MathF.Round(Math.Max(0, centreX - halfWidth)),
                (int)MathF.Round(Math.Max(0, centreY - halfHeight)),
                (int)MathF.Round(Math.Min(inputWidth, centreX + halfWidth)),
                (int)MathF.Round(Math.Min(inputHeight, centreY + halfHeight)));
            candidates.Add(new Detection(box, (int)classOf[cell], scores[cell], row, column));
        }
        var kept = new List<Detection>();
        foreach (Detection candidate in candidates.OrderByDescending(d => d.Score))
        {
            if (!kept.Any(k => k.ClassIndex == candidate.ClassIndex
                && k.Box.IntersectionOverUnion(candidate.Box) > overlap))
                kept.Add(candidate);
        }
        return kept;
    }
}
