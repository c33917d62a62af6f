using GradCamSharp.Maps;
using static TorchSharp.torch;

namespace GradCamSharp.Targets;

/// <summary>
/// The output of a detector that lists its detections, as torchvision's SSD, RetinaNet and Faster R-CNN do (boxes,
/// scores and labels, post-processing included): one tensor [N, D, 6] whose rows are x0, y0, x1, y1 (input pixels),
/// score and label, padded per sample with rows of score 0 and label -1.
/// </summary>
public static class BoxList
{
    /// <summary>Values per row: the box's four corners, the score, the label.</summary>
    public const int Columns = 6;

    /// <summary>The column of the score.</summary>
    public const int ScoreColumn = 4;

    /// <summary>The column of the label.</summary>
    public const int LabelColumn = 5;

    /// <summary>Whether <paramref name="output"/> is laid out as a box list, [N, D, 6].</summary>
    public static bool Holds(Tensor output)
    {
        ArgumentNullException.ThrowIfNull(output);
        return output.dim() == 3 && output.shape[2] == Columns;
    }

    /// <summary>One sample's rows from a detector's boxes [D, 4], scores [D] and labels [D] (any numeric type).
    /// </summary>
    /// <exception cref="UsageException">The three do not describe D detections.</exception>
    public static Tensor Rows(Tensor boxes, Tensor scores, Tensor labels)
    {
        ArgumentNullException.ThrowIfNull(boxes);
        ArgumentNullException.ThrowIfNull(scores);
        ArgumentNullException.ThrowIfNull(labels);
        long count = scores.numel();
        if (boxes.dim() != 2 || boxes.shape[1] != 4 || boxes.shape[0] != count || labels.numel() != count)
        {
            throw new UsageException($"a detector's boxes [D, 4], scores [D] and labels [D] expected, got " +
                $"[{string.Join(", ", boxes.shape)}], [{string.Join(", ", scores.shape)}] and " +
                $"[{string.Join(", ", labels.shape)}]");
        }
        return cat([boxes, scores.reshape(count, 1).to(boxes.dtype), labels.reshape(count, 1).to(boxes.dtype)], 1);
    }

    /// <summary>Samples' rows stacked into [N, D, 6], the shorter lists padded with rows of no detection.</summary>
    public static Tensor Stack(IReadOnlyList<Tensor> samples)
    {
        ArgumentNullException.ThrowIfNull(samples);
        long most = samples.Count == 0 ? 0 : samples.Max(s => s.shape[0]);
        Tensor[] padded = [.. samples.Select(rows =>
        {
            if (rows.shape[0] == most) return rows;
            Tensor empty = zeros([most - rows.shape[0], Columns], rows.dtype);
            empty[.., LabelColumn] = tensor(-1f, rows.dtype);
            return cat([rows, empty], 0);
        })];
        return stack(padded);
    }

    /// <summary>The detections of one sample's rows [D, 6] scoring at least <paramref name="threshold"/> with a
    /// box of some area, in the detector's order (best first), each explained by <see cref="BoxScoreTarget"/>; Row is
    /// the rank in the list.</summary>
    /// <exception cref="UsageException">The rows are no box list.</exception>
    public static IReadOnlyList<Detection> Decode(Tensor rows, float threshold)
    {
        ArgumentNullException.ThrowIfNull(rows);
        if (rows.dim() != 2 || rows.shape[1] != Columns)
            throw new UsageException($"a box list is [D, {Columns}] per sample, got [{string.Join(", ", rows.shape)}]");
        if (rows.shape[0] == 0) return [];
        float[] values = rows.detach().to(ScalarType.Float32).cpu().contiguous().data<float>().ToArray();
        var found = new List<Detection>();
        for (int d = 0; d < rows.shape[0]; d++)
        {
            ReadOnlySpan<float> row = values.AsSpan(d * Columns, Columns);
            int label = (int)MathF.Round(row[LabelColumn]);
            // A box clipped to nothing at the image's edge has no pixels to explain and no IoU to find it by.
            if (label < 0 || !(row[ScoreColumn] >= threshold) || !(row[2] > row[0] && row[3] > row[1])) continue;
            var box = new Box((int)MathF.Floor(row[0]), (int)MathF.Floor(row[1]), (int)MathF.Ceiling(row[2]),
                (int)MathF.Ceiling(row[3]));
            found.Add(new Detection(box, label, row[ScoreColumn], d, Detection.Listed)
            {
                Target = new BoxScoreTarget(label, row[0], row[1], row[2], row[3]),
            });
        }
        return found;
    }
}
