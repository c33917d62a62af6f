using static TorchSharp.torch;

namespace GradCamSharp.Onnx.Operators;

/// <summary>
/// The operators a detector's post-processing is made of: index outputs (NonZero, TopK's indices, NonMaxSuppression)
/// carry no gradient, the values they pick (TopK's values, GatherND, ScatterElements, RoiAlign) carry it to what they
/// were picked from, so that a detection's score differentiates back to the backbone as in PyTorch.
/// </summary>
internal static partial class OnnxOperators
{
    private static void RegisterSelection(Dictionary<string, OperatorDefinition> r)
    {
        r["NonZero"] = Single([], (n, i) =>
        {
            Tensor x = Required(i, 0, n);
            return x.dim() == 0 ? zeros([0, x.ne(0).item<bool>() ? 1 : 0], ScalarType.Int64)
                : x.ne(0).nonzero().t().contiguous();
        });
        r["TopK"] = new(["axis", "largest", "sorted", "k"], (n, i, _) =>
        {
            Tensor x = Required(i, 0, n);
            long k = n.Opset < 10 ? n.Attributes.Int("k", 0) : Longs(Required(i, 1, n)).Single();
            long axis = NormaliseAxis(n.Attributes.Int("axis", -1), x.dim());
            if (k < 0 || k > x.shape[axis])
                throw n.Failed($"k = {k} for an axis of {x.shape[axis]} values");
            // A stable sort, so that of equal values the lower index comes first, as ONNX specifies.
            (Tensor values, Tensor indices) =
                x.sort(axis, descending: n.Attributes.Int("largest", 1) != 0, stable: true);
            return [values.narrow(axis, 0, k), indices.narrow(axis, 0, k)];
        });
        r["GatherND"] = Single(["batch_dims"], (n, i) => GatherND(Required(i, 0, n),
            Required(i, 1, n).to(ScalarType.Int64), (int)n.Attributes.Int("batch_dims", 0), n));
        r["ScatterElements"] = Single(["axis", "reduction"], (n, i) =>
        {
            Tensor data = Required(i, 0, n), indices = Required(i, 1, n).to(ScalarType.Int64);
            Tensor updates = Required(i, 2, n).to(data.dtype);
            long axis = NormaliseAxis(n.Attributes.Int("axis", 0), data.dim());
            indices = where(indices.lt(0), indices + data.shape[axis], indices);
            return n.Attributes.String("reduction", "none") == "add" ? data.scatter_add(axis, indices, updates)
                : data.scatter(axis, indices, updates);
        }, n =>
        {
            if (n.Attributes.String("reduction", "none") is not ("none" or "add"))
                throw n.Unsupported("reduction must be 'none' or 'add'");
        });
        r["NonMaxSuppression"] = Single(["center_point_box"], NonMaxSuppression, n =>
        {
            if (n.Attributes.Int("center_point_box", 0) is not (0 or 1))
                throw n.Unsupported("center_point_box must be 0 or 1");
        });
        r["RoiAlign"] = Single(["mode", "output_height", "output_width", "sampling_ratio", "spatial_scale",
            "coordinate_transformation_mode"], RoiAlign, n =>
        {
            if (n.Attributes.String("mode", "avg") != "avg")
                throw n.Unsupported("only mode 'avg' is supported (torchvision exports no other)");
            if (n.Attributes.String("coordinate_transformation_mode", "half_pixel") is not
                ("half_pixel" or "output_half_pixel"))
                throw n.Unsupported("coordinate_transformation_mode must be 'half_pixel' or 'output_half_pixel'");
        });
    }

    /// <summary>
    /// GatherND: each index row of <paramref name="indices"/> ([..., m]) picks the slice of <paramref name="data"/> at
    /// those m leading positions (after <paramref name="batchDims"/> shared batch axes), through one index_select of
    /// the rows' linear positions, so that the gradient reaches the picked entries.
    /// </summary>
    private static Tensor GatherND(Tensor data, Tensor indices, int batchDims, OnnxNode node)
    {
        int depth = (int)indices.shape[^1];
        if (batchDims < 0 || batchDims + depth > data.dim())
            throw node.Failed($"index rows of {depth} after {batchDims} batch axes for a rank-{data.dim()} input");
        long batch = data.shape[..batchDims].Aggregate(1L, (a, b) => a * b);
        long[] indexed = data.shape[batchDims..(batchDims + depth)];
        long cells = indexed.Aggregate(1L, (a, b) => a * b);
        Tensor rows = indices.reshape(batch, -1, depth);
        Tensor linear = zeros([batch, rows.shape[1]], ScalarType.Int64);
        for (int k = 0; k < depth; k++)
        {
            Tensor index = rows[.., .., k];
            linear = linear * indexed[k] + where(index.lt(0), index + indexed[k], index);
        }
        linear += arange(batch).unsqueeze(1) * cells;
        long[] slice = data.shape[(batchDims + depth)..];
        Tensor picked = data.reshape([batch * cells, .. slice]).index_select(0, linear.flatten());
        return picked.reshape([.. indices.shape[..^1], .. slice]);
    }

    /// <summary>
    /// ONNX NonMaxSuppression, as ONNX Runtime computes it: per sample and class, the boxes scoring above the score
    /// threshold, best first (ties: the lower index first), each kept unless its IoU with a kept box exceeds the IoU
    /// threshold, at most max_output_boxes_per_class of them; [selected, 3] rows of (sample, class, box).
    /// </summary>
    private static Tensor NonMaxSuppression(OnnxNode node, Tensor?[] inputs)
    {
        Tensor boxes = Required(inputs, 0, node).detach().to(ScalarType.Float32).contiguous();
        Tensor scores = Required(inputs, 1, node).detach().to(ScalarType.Float32).contiguous();
        long most = Optional(inputs, 2) is Tensor m && m.numel() > 0 ? Longs(m)[0] : 0;
        float overlap = Optional(inputs, 3) is Tensor o && o.numel() > 0 ? (float)Scalar(o) : 0;
        float? least = Optional(inputs, 4) is Tensor s && s.numel() > 0 ? (float)Scalar(s) : null;
        if (boxes.dim() != 3 || boxes.shape[2] != 4 || scores.dim() != 3 || scores.shape[0] != boxes.shape[0]
            || scores.shape[2] != boxes.shape[1])
        {
            throw node.Failed($"boxes [N, boxes, 4] and scores [N, classes, boxes] expected, got " +
                $"[{string.Join(", ", boxes.shape)}] and [{string.Join(", ", scores.shape)}]");
        }
        int samples = (int)boxes.shape[0], count = (int)boxes.shape[1], classes = (int)scores.shape[1];
        float[] corners = Corners(Singles(boxes), node.Attributes.Int("center_point_box", 0) == 1);
        float[] allScores = Singles(scores);
        var selected = new List<long>();
        for (int sample = 0; sample < samples; sample++)
        {
            for (int cls = 0; cls < classes; cls++)
            {
                int offset = (sample * classes + cls) * count;
                int[] order = Enumerable.Range(0, count)
                    .Where(b => least is not float t || allScores[offset + b] > t)
                    .OrderByDescending(b => allScores[offset + b]).ThenBy(b => b).ToArray();
                var kept = new List<int>();
                foreach (int candidate in order)
                {
                    if (kept.Count >= most) break;
                    int at = (sample * count + candidate) * 4;
                    if (kept.Any(k => IntersectionOverUnion(corners, at, (sample * count + k) * 4) > overlap))
                        continue;
                    kept.Add(candidate);
                    selected.AddRange([sample, cls, candidate]);
                }
            }
        }
        return tensor(selected.ToArray(), [selected.Count / 3, 3]);
    }

    /// <summary>Boxes as (x0, y0, x1, y1) with x0 &lt;= x1 and y0 &lt;= y1, from ONNX's [y1, x1, y2, x2] (either
    /// corner first) or [x centre, y centre, width, height].</summary>
    private static float[] Corners(float[] boxes, bool centred)
    {
        var corners = new float[boxes.Length];
        for (int b = 0; b < boxes.Length; b += 4)
        {
            if (centred)
            {
                (float x, float y, float w, float h) = (boxes[b], boxes[b + 1], boxes[b + 2], boxes[b + 3]);
                (corners[b], corners[b + 1]) = (x - w / 2, y - h / 2);
                (corners[b + 2], corners[b + 3]) = (x + w / 2, y + h / 2);
            }
            else
            {
                (float y0, float x0, float y1, float x1) = (boxes[b], boxes[b + 1], boxes[b + 2], boxes[b + 3]);
                (corners[b], corners[b + 2]) = (Math.Min(x0, x1), Math.Max(x0, x1));
                (corners[b + 1], corners[b + 3]) = (Math.Min(y0, y1), Math.Max(y0, y1));
            }
        }
        return corners;
    }

    private static float IntersectionOverUnion(float[] corners, int a, int b)
    {
        float width = Math.Min(corners[a + 2], corners[b + 2]) - Math.Max(corners[a], corners[b]);
        float height = Math.Min(corners[a + 3], corners[b + 3]) - Math.Max(corners[a + 1], corners[b + 1]);
        if (width <= 0 || height <= 0) return 0;
        float intersection = width * height;
        float areaA = (corners[a + 2] - corners[a]) * (corners[a + 3] - corners[a + 1]);
        float areaB = (corners[b + 2] - corners[b]) * (corners[b + 3] - corners[b + 1]);
        float union = areaA + areaB - intersection;
        return union <= 0 ? 0 : intersection / union;
    }

    /// <summary>
    /// ONNX RoiAlign (average mode): each region of interest [x0, y0, x1, y1] (times spatial_scale; half a pixel
    /// less under 'half_pixel') is cut into output_height x output_width bins, each the mean of a grid of bilinear
    /// samples (sampling_ratio per side, or ceil(bin size) where it is 0); samples more than a pixel outside the map
    /// count as 0, as ONNX Runtime and torchvision compute it. Differentiable in the feature map (not the regions,
    /// which torchvision's roi_align does not differentiate either).
    /// </summary>
    private static Tensor RoiAlign(OnnxNode node, Tensor?[] inputs)
    {
        Tensor features = Required(inputs, 0, node);
        Tensor rois = Required(inputs, 1, node).detach().to(ScalarType.Float32).cpu().contiguous();
        long[] batchIndex = Longs(Required(inputs, 2, node));
        if (features.dim() != 4 || rois.dim() != 2 || rois.shape[1] != 4 || batchIndex.Length != rois.shape[0])
        {
            throw node.Failed($"features [N, C, H, W], rois [R, 4] and batch indices [R] expected, got " +
                $"[{string.Join(", ", features.shape)}], [{string.Join(", ", rois.shape)}], [{batchIndex.Length}]");
        }
        int binsHigh = (int)node.Attributes.Int("output_height", 1);
        int binsWide = (int)node.Attributes.Int("output_width", 1);
        int ratio = (int)node.Attributes.Int("sampling_ratio", 0);
        float scale = node.Attributes.Float("spatial_scale", 1f);
        // Before opset 16 RoiAlign had no half-pixel offset ('output_half_pixel', torchvision's aligned=False).
        bool halfPixel = node.Opset >= 16
            && node.Attributes.String("coordinate_transformation_mode", "half_pixel") == "half_pixel";
        long height = features.shape[2], width = features.shape[3], channels = features.shape[1];
        float[] r = Singles(rois);
        var pooled = new Tensor[batchIndex.Length];
        // Regions of one sample and grid share one gather; grids differ only where sampling_ratio is 0.
        var groups = new Dictionary<(long Sample, int High, int Wide), List<int>>();
        var boxes = new (float Y, float X, float BinH, float BinW)[batchIndex.Length];
        for (int k = 0; k < batchIndex.Length; k++)
        {
            if (batchIndex[k] < 0 || batchIndex[k] >= features.shape[0])
                throw node.Failed($"region {k} reads sample {batchIndex[k]} of {features.shape[0]}");
            float offset = halfPixel ? 0.5f : 0f;
            float x0 = r[4 * k] * scale - offset, y0 = r[4 * k + 1] * scale - offset;
            float w = r[4 * k + 2] * scale - offset - x0, h = r[4 * k + 3] * scale - offset - y0;
            if (!halfPixel) (w, h) = (Math.Max(w, 1), Math.Max(h, 1));
            boxes[k] = (y0, x0, h / binsHigh, w / binsWide);
            int gridH = ratio > 0 ? ratio : (int)Math.Ceiling(h / binsHigh);
            int gridW = ratio > 0 ? ratio : (int)Math.Ceiling(w / binsWide);
            var key = (batchIndex[k], Math.Max(gridH, 1), Math.Max(gridW, 1));
            if (!groups.TryGetValue(key, out List<int>? members)) groups[key] = members = [];
            members.Add(k);
        }
        foreach (((long sample, int gridH, int gridW), List<int> members) in groups)
        {
            // Sample positions per region: [R, binsHigh * gridH] rows and [R, binsWide * gridW] columns.
            float[] ys = members.SelectMany(k => Enumerable.Range(0, binsHigh * gridH).Select(s =>
                boxes[k].Y + (s / gridH) * boxes[k].BinH + (s % gridH + 0.5f) * boxes[k].BinH / gridH)).ToArray();
            float[] xs = members.SelectMany(k => Enumerable.Range(0, binsWide * gridW).Select(s =>
                boxes[k].X + (s / gridW) * boxes[k].BinW + (s % gridW + 0.5f) * boxes[k].BinW / gridW)).ToArray();
            (Tensor rowLow, Tensor rowHigh, Tensor rowWeight, Tensor rowValid) = BilinearAxis(ys, height);
            (Tensor colLow, Tensor colHigh, Tensor colWeight, Tensor colValid) = BilinearAxis(xs, width);
            int regions = members.Count, rows = binsHigh * gridH, columns = binsWide * gridW;
            Tensor map = features[sample].reshape(channels, height * width);
            Tensor Corner(Tensor row, Tensor column) =>
                map.index_select(1, (row.view(regions, rows, 1) * width + column.view(regions, 1, columns)).flatten())
                    .view(channels, regions, rows, columns);
            Tensor wy = rowWeight.view(regions, rows, 1).to(features.dtype);
            Tensor wx = colWeight.view(regions, 1, columns).to(features.dtype);
            Tensor samples = (1 - wy) * (1 - wx) * Corner(rowLow, colLow) + (1 - wy) * wx * Corner(rowLow, colHigh)
                + wy * (1 - wx) * Corner(rowHigh, colLow) + wy * wx * Corner(rowHigh, colHigh);
            samples *= (rowValid.view(regions, rows, 1) & colValid.view(regions, 1, columns)).to(features.dtype);
            Tensor bins = samples.view(channels, regions, binsHigh, gridH, binsWide, gridW).mean([3, 5])
                .permute(1, 0, 2, 3);
            for (int m = 0; m < regions; m++) pooled[members[m]] = bins[m];
        }
        return pooled.Length == 0 ? zeros([0, channels, binsHigh, binsWide], features.dtype)
            : stack(pooled);
    }

    /// <summary>
    /// For sample positions along an axis of <paramref name="size"/> pixels: the pixel below and above, the weight of
    /// the one above, and whether the sample lies within a pixel of the map (RoiAlign's rule: beyond that it is 0;
    /// within it, clamped to the edge).
    /// </summary>
    private static (Tensor Low, Tensor High, Tensor Weight, Tensor Valid) BilinearAxis(float[] positions, long size)
    {
        var low = new long[positions.Length];
        var high = new long[positions.Length];
        var weight = new float[positions.Length];
        var valid = new bool[positions.Length];
        for (int s = 0; s < positions.Length; s++)
        {
            float p = positions[s];
            valid[s] = p >= -1 && p <= size;
            p = Math.Max(p, 0);
            long below = (long)Math.Floor(p);
            if (below >= size - 1) (low[s], high[s], weight[s]) = (size - 1, size - 1, 0);
            else (low[s], high[s], weight[s]) = (below, below + 1, p - below);
        }
        return (tensor(low), tensor(high), tensor(weight), tensor(valid));
    }
}
