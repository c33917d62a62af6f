using GradCamSharp.Maps;
using GradCamSharp.Scenes;
using GradCamSharp.Targets;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace GradCamSharp.VisionLanguage.SceneModels;

/// <summary>
/// What a <see cref="SceneDetector"/> learns and how it is scored: per cell the truth its output is trained towards,
/// the training loss, and the mean average precision of its detections.
/// </summary>
internal static class SceneDetections
{
    /// <summary>Channels of a scene's truth per cell: objectness, x and y offsets in the cell, log width and height
    /// over the anchor, class.</summary>
    public const int TruthChannels = 6;

    /// <summary>The least score a detection is reported with.</summary>
    public const float Threshold = 0.3f;

    /// <summary>
    /// [6, H/8, W/8]: at the cell holding an object's centre (its box's), objectness 1, the centre's offsets in the
    /// cell, the log of the box's width and height over <see cref="SceneDetector.Anchor"/>, and its pair's index; 0
    /// elsewhere. Two centres in one cell (rare: objects barely overlap) keep the larger object.
    /// </summary>
    /// <param name="scene">A scene drawn at the input's size.</param>
    /// <param name="classes">The model's classes (<see cref="SceneModelTrainer.ClassesOf"/>).</param>
    public static float[] Truth(Scene scene, IReadOnlyList<string> classes)
    {
        ArgumentNullException.ThrowIfNull(scene);
        int rows = scene.Height / ShapeEncoder.Stride, columns = scene.Width / ShapeEncoder.Stride;
        int cells = rows * columns;
        var truth = new float[TruthChannels * cells];
        foreach (SceneObject shape in scene.Objects.OrderBy(o => o.Box.Area))
        {
            (double x, double y) = shape.Centre;
            int column = Math.Clamp((int)(x / ShapeEncoder.Stride), 0, columns - 1);
            int row = Math.Clamp((int)(y / ShapeEncoder.Stride), 0, rows - 1);
            int cell = row * columns + column;
            float[] values = [1, (float)(x / ShapeEncoder.Stride - column), (float)(y / ShapeEncoder.Stride - row),
                MathF.Log(Math.Max(1, shape.Box.Width) / SceneDetector.Anchor),
                MathF.Log(Math.Max(1, shape.Box.Height) / SceneDetector.Anchor),
                IndexOf(classes, shape.Name)];
            for (int channel = 0; channel < TruthChannels; channel++) truth[channel * cells + cell] = values[channel];
        }
        return truth;
    }

    /// <summary>
    /// The detector's loss against [N, 6, h, w] truth: objectness by binary cross-entropy summed over every cell, and
    /// at the objects' cells the offsets (binary cross-entropy against their sigmoid), the log sizes (L1) and the class
    /// (cross-entropy), each per object.
    /// </summary>
    public static Tensor Loss(Tensor output, Tensor truth)
    {
        Tensor objects = truth[.., 0];
        Tensor count = objects.sum().clamp_min(1);
        Tensor objectness = functional.binary_cross_entropy_with_logits(output[.., 0], objects,
            reduction: Reduction.Sum) / count;
        Tensor at = objects.gt(0.5);
        Tensor Selected(Tensor map) => map.masked_select(at);
        Tensor offsets = functional.binary_cross_entropy_with_logits(Selected(output[.., 1]), Selected(truth[.., 1]),
            reduction: Reduction.Sum) + functional.binary_cross_entropy_with_logits(Selected(output[.., 2]),
            Selected(truth[.., 2]), reduction: Reduction.Sum);
        Tensor sizes = (Selected(output[.., 3]) - Selected(truth[.., 3])).abs().sum()
            + (Selected(output[.., 4]) - Selected(truth[.., 4])).abs().sum();
        Tensor logits = output[.., DetectionTarget.ClassOffset..].permute(0, 2, 3, 1).reshape(-1,
            output.shape[1] - DetectionTarget.ClassOffset);
        Tensor classes = functional.cross_entropy(logits.index_select(0, at.flatten().nonzero().flatten()),
            Selected(truth[.., 5]).to(ScalarType.Int64), reduction: Reduction.Sum);
        return objectness + (offsets + sizes + classes) / count;
    }

    /// <summary>
    /// A scene's truth per cell as a detector's output that <see cref="Detection.Decode"/> reads back into the true
    /// boxes: objectness and the class as large logits, the offsets as logits of themselves, the log sizes as they are.
    /// </summary>
    public static Tensor AsOutput(Tensor truth, int classes)
    {
        Tensor objects = truth[0];
        Tensor offsets = truth[1..3].clamp(1e-4, 1 - 1e-4);
        Tensor classLogits = functional.one_hot(truth[5].to(ScalarType.Int64), classes).permute(2, 0, 1)
            .to(ScalarType.Float32) * 40;
        return cat([(objects * 80 - 40).unsqueeze(0), (offsets / (1 - offsets)).log(), truth[3..5], classLogits], 0);
    }

    /// <summary>The true boxes of a scene, with their classes' indices among <paramref name="classes"/>.</summary>
    public static IReadOnlyList<(Box Box, int ClassIndex)> Boxes(Scene scene, IReadOnlyList<string> classes) =>
        [.. scene.Objects.Select(o => (o.Box, IndexOf(classes, o.Name)))];

    /// <summary>An object's class among <paramref name="classes"/>: its pair in the shape world, its label in the
    /// photo world.</summary>
    private static int IndexOf(IReadOnlyList<string> classes, string name)
    {
        for (int k = 0; k < classes.Count; k++)
        {
            if (classes[k] == name) return k;
        }
        throw new InvalidOperationException($"'{name}' is none of the model's classes");
    }

    /// <summary>
    /// Mean average precision at an IoU of <paramref name="overlap"/> (PASCAL VOC's, all points interpolated): per
    /// class, detections of every image ranked by score, each true box matched once by the best-scored detection
    /// overlapping it enough; the mean over classes with a true box.
    /// </summary>
    public static double MeanAveragePrecision(IReadOnlyList<IReadOnlyList<Detection>> detected,
        IReadOnlyList<IReadOnlyList<(Box Box, int ClassIndex)>> truth, double overlap = 0.5)
    {
        var precisions = new List<double>();
        foreach (int category in truth.SelectMany(t => t.Select(b => b.ClassIndex)).Distinct())
        {
            int positives = truth.Sum(t => t.Count(b => b.ClassIndex == category));
            var ranked = detected.SelectMany((found, image) => found.Where(d => d.ClassIndex == category)
                .Select(d => (Image: image, Detection: d))).OrderByDescending(d => d.Detection.Score).ToList();
            var used = new HashSet<(int Image, int Box)>();
            var hits = new bool[ranked.Count];
            for (int i = 0; i < ranked.Count; i++)
            {
                (int image, Detection detection) = ranked[i];
                var candidates = truth[image].Select((b, k) => (b, k)).Where(p => p.b.ClassIndex == category
                    && !used.Contains((image, p.k))).Select(p => (p.k, Iou: p.b.Box.IntersectionOverUnion(
                    detection.Box))).Where(p => p.Iou >= overlap).OrderByDescending(p => p.Iou).ToList();
                if (candidates.Count == 0) continue;
                used.Add((image, candidates[0].k));
                hits[i] = true;
            }
            precisions.Add(AveragePrecision(hits, positives));
        }
        return precisions.Count == 0 ? 0 : precisions.Average();
    }

    /// <summary>The area under the precision-recall curve with precision made monotone (VOC 2010 and after).
    /// </summary>
    internal static double AveragePrecision(IReadOnlyList<bool> rankedHits, int positives)
    {
        if (positives == 0) return 0;
        int n = rankedHits.Count, right = 0;
        var precision = new double[n];
        var recall = new double[n];
        for (int i = 0; i < n; i++)
        {
            if (rankedHits[i]) right++;
            precision[i] = right / (double)(i + 1);
            recall[i] = right / (double)positives;
        }
        for (int i = n - 2; i >= 0; i--) precision[i] = Math.Max(precision[i], precision[i + 1]);
        double area = 0, previous = 0;
        for (int i = 0; i < n; i++)
        {
            area += (recall[i] - previous) * precision[i];
            previous = recall[i];
        }
        return area;
    }
}
