using GradCamSharp.Imaging;
using GradCamSharp.Models;
using GradCamSharp.Scenes;
using TorchSharp;
using static TorchSharp.torch;

namespace GradCamSharp.Catalog.Heads;

/// <summary>
/// Trains a linear head to tell classes apart on a frozen feature extractor. The scenes are composites (objects of
/// the annotated photos pasted onto object-free regions of other photos, with exact masks) and windows of the
/// photos themselves (objects in context, parts, backgrounds, whole photos). Every cell of the last spatial feature
/// map is labelled with the object that covers it, or background where none does, and the head is fitted on both
/// the cells and the pooled image. Because pooling and a linear map commute, the result is exactly a linear softmax
/// classifier over pooled features, and its Grad-CAM is its class activation map.
/// </summary>
internal static class HeadTrainer
{
    /// <summary>The label of the class that means no labelled object.</summary>
    public const string BackgroundLabel = "background";

    private const int Batch = 16;

    /// <summary>
    /// Trains a head for <paramref name="classes"/> (plus background) from <paramref name="photos"/>.
    /// </summary>
    /// <param name="features">The frozen feature extractor (its output is pooled by the head).</param>
    /// <param name="preprocessing">How scenes become its input; scenes are drawn at its width.</param>
    /// <param name="photos">The annotated photos; objects of other labels are ignored.</param>
    /// <param name="classes">The object classes, in logit order; background comes last.</param>
    /// <param name="options">The recipe.</param>
    /// <param name="progress">Lines about extraction and fitting.</param>
    /// <param name="cancellation">Checked between batches of scenes and between steps.</param>
    public static TrainedHead Train(IExplainableModel features, Preprocessing preprocessing,
        IReadOnlyList<AnnotatedPhoto> photos, IReadOnlyList<string> classes, HeadTrainingOptions options,
        IProgress<string>? progress = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(preprocessing);
        ArgumentNullException.ThrowIfNull(photos);
        ArgumentNullException.ThrowIfNull(classes);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (classes.Count == 0 || classes.Contains(BackgroundLabel))
            throw new UsageException($"a head needs object classes other than '{BackgroundLabel}'");
        string[] labels = [.. classes, BackgroundLabel];

        using DisposeScope scope = NewDisposeScope();
        using var world =
            new PhotoWorld(photos, new PhotoWorldOptions { Size = preprocessing.Width, Labels = classes });
        Samples samples = Extract(features, preprocessing, world, labels, options, progress, cancellation);
        (Tensor weights, Tensor bias, float firstLoss, float lastLoss) =
            Fit(samples, labels.Length, options, progress, cancellation);
        // Softmax logits are fixed only up to a shift common to all classes. Measuring every class against background
        // (its row becomes zero) leaves the probabilities as they are and makes each class's activation map show
        // where that class beats background, rather than wherever the features are strong.
        weights = weights - weights[.., ^1].unsqueeze(1);
        bias = bias - bias[^1];
        HeadScores heldOut = Score(samples, weights, bias, labels.Length);
        progress?.Report($"held-out scenes: cell accuracy {heldOut.CellAccuracy:0.000}, " +
            $"image accuracy {heldOut.ImageAccuracy:0.000} over {heldOut.Scenes} scenes");
        float[] w = weights.t().contiguous().data<float>().ToArray();
        int dimension = (int)weights.shape[0];
        return new TrainedHead(labels,
            Enumerable.Range(0, labels.Length).Select(k => w[(k * dimension)..((k + 1) * dimension)]).ToArray(),
            bias.data<float>().ToArray(), heldOut, firstLoss, lastLoss);
    }

    /// <summary>Cell features and labels of every scene, with the image-level targets.</summary>
    private sealed record Samples(Tensor Cells, Tensor CellLabels, Tensor CellScene, Tensor Images, Tensor ImageTargets,
        Tensor HeldOut, bool[][] Present);

    private static Samples Extract(IExplainableModel features, Preprocessing preprocessing, PhotoWorld world,
        string[] labels, HeadTrainingOptions options, IProgress<string>? progress, CancellationToken cancellation)
    {
        int total = options.Composites + options.Crops;
        using IDisposable state = features.BeginExplanation();
        using var noGrad = no_grad();
        string? layer = null;
        var cells = new List<Tensor>();
        var cellLabels = new List<long>();
        var cellScene = new List<long>();
        var images = new List<Tensor>();
        var targets = new List<float[]>();
        var heldOut = new List<bool>();
        var present = new List<bool[]>();
        for (int start = 0; start < total; start += Batch)
        {
            cancellation.ThrowIfCancellationRequested();
            int count = Math.Min(Batch, total - start);
            var scenes = Enumerable.Range(start, count).Select(i => i < options.Composites
                ? world.Generate(options.Seed, i) : world.Crop(options.Seed, i - options.Composites)).ToList();
            try
            {
                Tensor input =
                    cat(scenes.Select(s => ImagePreprocessor.Prepare(s.Image, preprocessing).ToTensor()).ToList(), 0);
                layer ??= ModelLayers.Resolve(features, ModelLayers.Auto, input);
                Tensor maps = Capture(features, input, layer);
                long height = maps.shape[2], width = maps.shape[3];
                for (int k = 0; k < count; k++)
                {
                    int index = start + k;
                    (long[] cellClass, float[] target, bool[] has) =
                        CellLabels(scenes[k], labels, (int)height, (int)width);
                    cells.Add(maps[k].flatten(1).t());
                    cellLabels.AddRange(cellClass);
                    cellScene.AddRange(Enumerable.Repeat((long)index, cellClass.Length));
                    images.Add(maps[k].flatten(1).mean([1]));
                    targets.Add(target);
                    heldOut.Add(index % options.HeldOutEvery == options.HeldOutEvery - 1);
                    present.Add(has);
                }
            }
            finally
            {
                foreach (Scene scene in scenes) scene.Dispose();
            }
            if ((start / Batch) % 8 == 7 || start + count == total)
                progress?.Report($"features of {start + count}/{total} scenes ({options.Composites} composites, " +
                    $"{options.Crops} crops)");
        }
        return new Samples(cat(cells, 0), tensor(cellLabels.ToArray()), tensor(cellScene.ToArray()), stack(images),
            tensor(targets.SelectMany(t => t).ToArray()).reshape(targets.Count, labels.Length),
                tensor(heldOut.ToArray()),
            [.. present]);
    }

    private static Tensor Capture(IExplainableModel features, Tensor input, string layer)
    {
        Tensor? captured = null;
        features.Forward(input, new ForwardTaps
        {
            Layer = layer,
            ReplaceLayerOutput = output =>
            {
                captured = output.clone();
                return output;
            },
        });
        return captured ?? throw new InvalidOperationException($"layer '{layer}' did not run");
    }

    /// <summary>
    /// The class of each cell of an h x w grid over the scene: the object covering the most of it, where that is at
    /// least 40% (20% for an object thinner than a cell, such as a rocket), background where objects cover under
    /// 10%, and -1 (ignored) in between. The image target is the share of each class among the labelled cells, with
    /// at least half for the objects when the scene holds any.
    /// </summary>
    internal static (long[] Cells, float[] Target, bool[] Present) CellLabels(Scene scene, string[] labels, int height,
        int width)
    {
        int background = labels.Length - 1;
        var cells = new long[height * width];
        var target = new float[labels.Length];
        var present = new bool[labels.Length];
        int[] classOf = scene.Objects.Select(o => Array.IndexOf(labels, o.Label)).ToArray();
        foreach (int c in classOf.Where(c => c >= 0)) present[c] = true;
        for (int r = 0; r < height; r++)
        {
            for (int c = 0; c < width; c++)
            {
                int y0 = r * scene.Height / height, y1 = (r + 1) * scene.Height / height;
                int x0 = c * scene.Width / width, x1 = (c + 1) * scene.Width / width;
                double area = (y1 - y0) * (x1 - x0), covered = 0, best = 0;
                int bestObject = -1;
                for (int o = 0; o < scene.Objects.Count; o++)
                {
                    bool[] mask = scene.Objects[o].Mask;
                    int inside = 0;
                    for (int y = y0; y < y1; y++)
                        for (int x = x0; x < x1; x++) inside += mask[y * scene.Width + x] ? 1 : 0;
                    covered += inside / area;
                    if (inside / area > best)
                    {
                        best = inside / area;
                        bestObject = o;
                    }
                }
                // A thin object (narrower than a cell, such as a rocket) owns the cells it crosses at a lower cover.
                bool thin =
                    bestObject >= 0 && Math.Min(scene.Objects[bestObject].Box.Width * width / (double)scene.Width,
                    scene.Objects[bestObject].Box.Height * height / (double)scene.Height) < 1;
                cells[r * width + c] = (best >= 0.4 || (thin && best >= 0.2)) && classOf[bestObject] >= 0
                    ? classOf[bestObject] : covered < 0.1 ? background : -1;
            }
        }
        foreach (long label in cells.Where(l => l >= 0)) target[label]++;
        // What a classifier should say of the whole scene: the share of each class among the labelled cells, except
        // that a scene holding objects is at least half about them, however small they are (a rocket on its pad).
        double objectCells = target.Take(background).Sum(), backgroundCells = target[background];
        double objectArea = scene.Objects.Where((_, o) => classOf[o] >= 0).Sum(o => o.Area);
        if (objectArea > 0 && objectCells <= backgroundCells)
        {
            for (int o = 0; o < scene.Objects.Count; o++)
            {
                if (classOf[o] >= 0 && objectCells == 0)
                    target[classOf[o]] += (float)(scene.Objects[o].Area / objectArea);
            }
            double objects = target.Take(background).Sum();
            for (int k = 0; k < background; k++) target[k] = (float)(0.5 * target[k] / objects);
            target[background] = 0.5f;
        }
        else
        {
            double total = target.Sum();
            if (total > 0) for (int k = 0; k < target.Length; k++) target[k] = (float)(target[k] / total);
            else target[background] = 1;
        }
        return (cells, target, present);
    }

    private static (Tensor Weights, Tensor Bias, float FirstLoss, float LastLoss) Fit(Samples samples, int classes,
        HeadTrainingOptions options, IProgress<string>? progress, CancellationToken cancellation)
    {
        using var gradients = enable_grad();
        Tensor trainScenes = samples.HeldOut.logical_not();
        Tensor cellTrain = trainScenes.index_select(0, samples.CellScene).logical_and(samples.CellLabels.ge(0));
        Tensor x = samples.Cells.index_select(0, cellTrain.nonzero().squeeze(1));
        Tensor y = samples.CellLabels.index_select(0, cellTrain.nonzero().squeeze(1));
        Tensor imageIndex = trainScenes.nonzero().squeeze(1);
        Tensor images = samples.Images.index_select(0, imageIndex);
        Tensor imageTargets = samples.ImageTargets.index_select(0, imageIndex);
        // Every scene's cells, [scenes, cells, D], and which object classes each scene holds.
        long cellsPerScene = samples.Cells.shape[0] / samples.Images.shape[0];
        Tensor sceneCells =
            samples.Cells.reshape(samples.Images.shape[0], cellsPerScene, -1).index_select(0, imageIndex);
        Tensor present = tensor(samples.Present.SelectMany(p => p.Take(classes - 1)).ToArray())
            .reshape(samples.Present.Length, classes - 1).index_select(0, imageIndex).to(ScalarType.Float32);
        // Rare classes weigh more (background cells outnumber every object), but at most three times the average:
        // more would teach a class seen in few cells to claim every ambiguous one.
        Tensor counts = bincount(y, minlength: classes).to(ScalarType.Float32).clamp_min(1);
        Tensor classWeights = (counts.sum() / (classes * counts)).sqrt().clamp(0.1, 3);

        long dimension = x.shape[1];
        var weights = new TorchSharp.Modules.Parameter(zeros(dimension, classes));
        var bias = new TorchSharp.Modules.Parameter(zeros(classes));
        // Each class against background, per cell: after the shift to background-relative logits this difference is
        // what a class's activation map shows, so it should be positive on the class's own cells and nowhere else.
        Tensor objectTargets = nn.functional.one_hot(y, classes).to(ScalarType.Float32)[.., ..(classes - 1)];
        Tensor positives = objectTargets.sum(dim: 0).clamp_min(1);   // per class (sum(0) would pick sum(dtype))
        Tensor positiveWeight = ((objectTargets.shape[0] - positives) / positives).sqrt().clamp(1, 10);
        var optimizer = optim.Adam([weights, bias], lr: options.LearningRate);
        float firstLoss = float.NaN, lastLoss = float.NaN;
        for (int step = 1; step <= options.Steps; step++)
        {
            cancellation.ThrowIfCancellationRequested();
            using DisposeScope stepScope = NewDisposeScope();
            optimizer.zero_grad();
            Tensor cellLogits = x.matmul(weights) + bias;
            Tensor versusBackground = cellLogits[.., ..(classes - 1)] - cellLogits[.., (classes - 1)..];
            Tensor cellLoss = nn.functional.cross_entropy(cellLogits, y, weight: classWeights)
                + nn.functional.binary_cross_entropy_with_logits(versusBackground, objectTargets,
                    pos_weights: positiveWeight);
            Tensor imageLoss = -(imageTargets * (images.matmul(weights) + bias).log_softmax(1)).sum(1).mean();
            // Somewhere in a scene that holds an object, that object should beat background: its map is never empty.
            Tensor sceneLogits = sceneCells.matmul(weights) + bias;
            Tensor strongest = (sceneLogits[.., .., ..(classes - 1)] - sceneLogits[.., .., (classes - 1)..]).amax(1);
            Tensor presenceLoss = (nn.functional.softplus(-strongest) * present).sum() / present.sum().clamp_min(1);
            Tensor loss = cellLoss + options.ImageLossWeight * (imageLoss + presenceLoss)
                + options.WeightDecay * weights.square().sum();
            loss.backward();
            optimizer.step();
            lastLoss = loss.item<float>();
            if (step == 1) firstLoss = lastLoss;
            if (step % 100 == 0 || step == options.Steps)
                progress?.Report($"step {step}/{options.Steps}: loss {loss.item<float>():0.0000} (cells " +
                    $"{cellLoss.item<float>():0.0000}, images {imageLoss.item<float>():0.0000})");
        }
        return (weights.detach(), bias.detach(), firstLoss, lastLoss);
    }

    private static HeadScores Score(Samples samples, Tensor weights, Tensor bias, int classes)
    {
        using var noGrad = no_grad();
        Tensor heldScenes = samples.HeldOut.nonzero().squeeze(1);
        Tensor cellHeld = samples.HeldOut.index_select(0, samples.CellScene).logical_and(samples.CellLabels.ge(0));
        Tensor cells = cellHeld.nonzero().squeeze(1);
        Tensor predicted = (samples.Cells.index_select(0, cells).matmul(weights) + bias).argmax(1);
        double cellAccuracy = cells.shape[0] == 0 ? 0
            : predicted.eq(samples.CellLabels.index_select(0, cells)).to(ScalarType.Float32).mean().item<float>();
        // The top object class (background left out) of each held-out scene with objects is one of its objects.
        Tensor logits = samples.Images.index_select(0, heldScenes).matmul(weights) + bias;
        logits[.., classes - 1] = float.NegativeInfinity;
        long[] top = logits.argmax(1).data<long>().ToArray();
        long[] scenes = heldScenes.data<long>().ToArray();
        int withObjects = 0, right = 0;
        for (int i = 0; i < scenes.Length; i++)
        {
            bool[] present = samples.Present[scenes[i]];
            if (!present.Take(classes - 1).Any(p => p)) continue;
            withObjects++;
            if (present[top[i]]) right++;
        }
        return new HeadScores(cellAccuracy, withObjects == 0 ? 0 : (double)right / withObjects, scenes.Length);
    }
}

/// <summary>What <see cref="HeadTrainer.Train"/> learnt.</summary>
/// <param name="Labels">The classes in logit order, background last.</param>
/// <param name="Weights">[K][D] weights.</param>
/// <param name="Bias">[K] biases.</param>
/// <param name="HeldOut">The scores on held-out scenes.</param>
/// <param name="FirstLoss">The training loss at the first step.</param>
/// <param name="LastLoss">The training loss at the last step.</param>
internal sealed record TrainedHead(IReadOnlyList<string> Labels, IReadOnlyList<float[]> Weights,
    IReadOnlyList<float> Bias, HeadScores HeldOut, float FirstLoss, float LastLoss);
