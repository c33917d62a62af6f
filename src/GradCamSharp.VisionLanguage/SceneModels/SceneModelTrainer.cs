using System.Diagnostics;
using GradCamSharp.Imaging;
using GradCamSharp.Scenes;
using GradCamSharp.Targets;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace GradCamSharp.VisionLanguage.SceneModels;

/// <summary>
/// Trains a model of the shape world, reproducibly (the scenes, the initial weights and the batches' order follow
/// from the recipe's seed), and writes it as an ONNX file, explained as any exported model is. A classifier labels
/// each scene with the colour-and-shape pairs present (25 classes, several at once); a segmenter labels each pixel
/// with the pair of the object it shows, or the background. The evaluation then holds every map to the objects'
/// exact masks.
/// </summary>
public static class SceneModelTrainer
{
    /// <summary>The classes, in output order: "red circle", "red square", ... (each colour with each shape).</summary>
    public static IReadOnlyList<string> Classes => ShapeWorld.PairNames;

    private static readonly Dictionary<string, int> ClassIndices =
        ShapeWorld.PairNames.Select((name, index) => (name, index)).ToDictionary(p => p.name, p => p.index);

    /// <summary>A segmenter's classes, in output order: the background, then <see cref="Classes"/>.</summary>
    public static IReadOnlyList<string> SegmenterClasses => ShapeWorld.PixelClassNames;

    /// <summary>The classes of a model of <paramref name="world"/>: the shape world's pairs, or the photo world's
    /// labels.</summary>
    public static IReadOnlyList<string> ClassesOf(ISceneWorld world) =>
        world is PhotoWorld photos ? photos.Labels : Classes;

    /// <summary>
    /// The photo world a photo-world detector learns and is measured on: the composites of <paramref name="photos"/>
    /// drawn at the input's size (128 pixels), as for the shape world, with one to three objects.
    /// </summary>
    public static PhotoWorld PhotoWorldAt(IReadOnlyList<AnnotatedPhoto> photos) =>
        new(photos, new PhotoWorldOptions { Size = Preprocessing.Width });

    /// <summary>The input convention of the trained models (the shape world's).</summary>
    public static Preprocessing Preprocessing => KnownPreprocessing.ShapeWorld;

    /// <summary>Trains the model <paramref name="recipe"/> describes.</summary>
    /// <param name="recipe">Architecture, scenes, epochs, seed.</param>
    /// <param name="progress">Receives a line per stage and per epoch.</param>
    /// <param name="cancellation">Stops training between steps.</param>
    /// <returns>The model as ONNX and its per-epoch report (loss; on held-out scenes, a classifier's share of label
    /// sets exactly right, a segmenter's mean IoU).</returns>
    public static (byte[] Onnx, IReadOnlyList<EpochReport> Epochs) Train(SceneModelRecipe recipe,
        IProgress<string>? progress = null, CancellationToken cancellation = default) =>
        Train(recipe, world: null, progress, cancellation);

    /// <summary>Trains the model <paramref name="recipe"/> describes on <paramref name="world"/>.</summary>
    /// <param name="recipe">Architecture, world, scenes, epochs, seed.</param>
    /// <param name="world">The scenes: null for the shape world; for a photo-world detector a
    /// <see cref="PhotoWorld"/> whose scenes are the input's size (<see cref="PhotoWorldAt"/>), whose labels are its
    /// classes.</param>
    /// <param name="progress">Receives a line per stage and per epoch.</param>
    /// <param name="cancellation">Stops training between steps.</param>
    /// <returns>The model as ONNX and its per-epoch report.</returns>
    /// <exception cref="UsageException">A world that is not the recipe's.</exception>
    public static (byte[] Onnx, IReadOnlyList<EpochReport> Epochs) Train(SceneModelRecipe recipe, ISceneWorld? world,
        IProgress<string>? progress = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(recipe);
        recipe.Validate();
        var clock = Stopwatch.StartNew();
        using ISceneWorld? shapes = world is null ? new ShapeWorld() : null;
        world ??= shapes!;
        if (world.Name != recipe.World)
            throw new UsageException($"the recipe is for the {recipe.World} world, the scenes are {world.Name}");
        IReadOnlyList<string> classes = ClassesOf(world);
        using var scope = NewDisposeScope();
        bool dense = recipe.Architecture == SceneModelRecipe.Segmenter;
        bool detector = recipe.Architecture == SceneModelRecipe.Detector;
        (Tensor inputs, Tensor labels) =
            Encode(world, classes, recipe.Seed, recipe.Scenes, recipe.Architecture, "training", progress, cancellation);
        (Tensor checkInputs, Tensor checkLabels) = Encode(world, classes, recipe.HeldOutSeed, recipe.HeldOutScenes,
            recipe.Architecture, "held-out", progress, cancellation);
        random.manual_seed(recipe.Seed);
        using Module<Tensor, Tensor> model = recipe.Architecture switch
        {
            SceneModelRecipe.Transformer => new SceneTransformer(Classes.Count),
            SceneModelRecipe.Swin => new SceneSwin(Classes.Count),
            SceneModelRecipe.ConvNet => new SceneConvNet(Classes.Count),
            SceneModelRecipe.Detector => new SceneDetector(classes.Count),
            _ => new SceneSegmenter(SegmenterClasses.Count),
        };
        if (dense) StartAtTheFrequencies(model, labels);
        else if (detector) StartAtTheObjectPrior(model, labels);
        else if (recipe.Architecture == SceneModelRecipe.ConvNet) StartAtThePriors(model, labels);
        var settings = new TrainingSettings(recipe.BatchSize, recipe.Epochs, recipe.LearningRate, 0.05, recipe.Seed);
        List<EpochReport> reports = TrainingLoop.Run(model, inputs, labels, settings, (logits, batch) => dense
                ? functional.cross_entropy(logits, batch.to(ScalarType.Int64))
                : detector ? SceneDetections.Loss(logits, batch)
                : functional.binary_cross_entropy_with_logits(logits, batch),
            () => dense ? MeanIoU(model, checkInputs, checkLabels)
                : detector ? DetectorPrecision(model, checkInputs, checkLabels, classes.Count)
                : ExactSets(model, checkInputs, checkLabels),
            heldOut => dense ? $"held-out mean IoU {heldOut:F3}"
                : detector ? $"held-out mAP@0.5 {heldOut:F3}"
                : $"held-out label sets exactly right {heldOut:P1}", clock, progress, cancellation);
        return (SceneModelExport.Export(model, recipe.ModelName), reports);
    }

    /// <summary>[N, classes] multi-hot labels: which colour-and-shape pairs are present in each scene.</summary>
    public static float[] Labels(Scene scene)
    {
        ArgumentNullException.ThrowIfNull(scene);
        var label = new float[Classes.Count];
        foreach (SceneObject shape in scene.Objects) label[ClassIndex(shape.Name)] = 1;
        return label;
    }

    /// <summary>The index of a pair ("red circle") among <see cref="Classes"/>.</summary>
    internal static int ClassIndex(string pair) => ClassIndices[pair];

    /// <summary>
    /// Sets the CNN head's biases to each class's prior log-odds (Lin et al., "Focal loss", 2017): a pair is absent
    /// from most scenes, and a head that starts at zero first learns that by pushing every feature down, which can
    /// leave the CNN's last ReLU dead everywhere (its loss then stays at the priors' for good). The transformer's head
    /// reads a normalised token and needs no such start; given one, it learnt more slowly (56% of held-out label sets
    /// right after its 6 epochs instead of 69%).
    /// </summary>
    private static void StartAtThePriors(Module<Tensor, Tensor> model, Tensor labels)
    {
        using var noGradient = no_grad();
        Tensor prior = labels.mean([0]).clamp(1e-3, 1 - 1e-3);
        model.named_parameters().Single(p => p.name == "head.bias").parameter.copy_((prior / (1 - prior)).log());
    }

    /// <summary>[H * W] pixel labels, row-major: 0 for the background, 1 + the pair's index where an object shows.
    /// </summary>
    public static byte[] PixelLabels(Scene scene)
    {
        ArgumentNullException.ThrowIfNull(scene);
        var label = new byte[scene.Width * scene.Height];
        foreach (SceneObject shape in scene.Objects)
        {
            byte index = (byte)(1 + ClassIndex(shape.Name));
            for (int i = 0; i < label.Length; i++) if (shape.Mask[i]) label[i] = index;
        }
        return label;
    }

    /// <summary>
    /// Sets a segmenter's per-class biases to the log of each class's share of the pixels: the background covers
    /// most of every scene, and starting there the features need not first learn that.
    /// </summary>
    private static void StartAtTheFrequencies(Module<Tensor, Tensor> model, Tensor labels)
    {
        using var noGradient = no_grad();
        Tensor counts = labels.flatten().to(ScalarType.Int64).bincount(null, SegmenterClasses.Count);
        Tensor share = (counts.to(ScalarType.Float32) / counts.sum()).clamp_min(1e-4);
        model.named_parameters().Single(p => p.name == "classifier.bias").parameter.copy_(share.log());
    }

    /// <summary>The mean over classes present of the intersection over union of predicted and true pixels.</summary>
    internal static double MeanIoU(Module<Tensor, Tensor> model, Tensor inputs, Tensor labels)
    {
        model.eval();
        using var scope = NewDisposeScope();
        using var noGradient = no_grad();
        Tensor confusion = zeros(SegmenterClasses.Count, SegmenterClasses.Count, ScalarType.Int64);
        for (long start = 0; start < inputs.shape[0]; start += 50)
        {
            long length = Math.Min(50, inputs.shape[0] - start);
            confusion += Confusion(labels.narrow(0, start, length), model.call(inputs.narrow(0, start, length))
                .argmax(1));
        }
        return MeanIoU(confusion);
    }

    /// <summary>[classes, classes] pixel counts of each true class (rows) predicted as each class (columns).</summary>
    /// <param name="truth">True pixel classes, any shape.</param>
    /// <param name="predicted">Predicted pixel classes, the same number of pixels.</param>
    internal static Tensor Confusion(Tensor truth, Tensor predicted)
    {
        int classes = SegmenterClasses.Count;
        return (truth.flatten().to(ScalarType.Int64) * classes + predicted.flatten()).bincount(null, classes * classes)
            .reshape(classes, classes);
    }

    /// <summary>Mean IoU from a [true, predicted] confusion matrix, over the classes that occur.</summary>
    internal static double MeanIoU(Tensor confusion)
    {
        using var scope = NewDisposeScope();
        Tensor counts = confusion.to(ScalarType.Float64);
        Tensor right = counts.diagonal(), union = counts.sum([0]) + counts.sum([1]) - right;
        Tensor present = counts.sum([1]).gt(0);
        return (right / union.clamp_min(1)).masked_select(present).mean().item<double>();
    }

    /// <summary>The share of scenes whose predicted label set (logits above zero) is exactly the true one.</summary>
    private static double ExactSets(Module<Tensor, Tensor> model, Tensor inputs, Tensor labels)
    {
        model.eval();
        using var scope = NewDisposeScope();
        using var noGradient = no_grad();
        long right = 0;
        for (long start = 0; start < inputs.shape[0]; start += 100)
        {
            long length = Math.Min(100, inputs.shape[0] - start);
            Tensor predicted = model.call(inputs.narrow(0, start, length)).gt(0);
            right += predicted.eq(labels.narrow(0, start, length).gt(0.5)).all(1).sum().item<long>();
        }
        return right / (double)inputs.shape[0];
    }

    /// <summary>
    /// Sets the detector's objectness bias to the prior log-odds of a cell holding an object's centre (a few cells of
    /// 256), as <see cref="StartAtThePriors"/> does for the classes.
    /// </summary>
    private static void StartAtTheObjectPrior(Module<Tensor, Tensor> model, Tensor truth)
    {
        using var noGradient = no_grad();
        double prior = Math.Clamp(truth[.., 0].mean().item<float>(), 1e-4, 0.5);
        model.named_parameters().Single(p => p.name == "head.conv2.bias").parameter[0]
            .fill_(Math.Log(prior / (1 - prior)));
    }

    /// <summary>The detector's mean average precision at IoU 0.5 on scenes whose truth is given per cell.</summary>
    private static double DetectorPrecision(Module<Tensor, Tensor> model, Tensor inputs, Tensor truth, int classes)
    {
        model.eval();
        using var scope = NewDisposeScope();
        using var noGradient = no_grad();
        var detected = new List<IReadOnlyList<Detection>>();
        var boxes = new List<IReadOnlyList<(Maps.Box, int)>>();
        int height = (int)inputs.shape[2], width = (int)inputs.shape[3];
        for (long start = 0; start < inputs.shape[0]; start += 50)
        {
            long length = Math.Min(50, inputs.shape[0] - start);
            Tensor output = model.call(inputs.narrow(0, start, length));
            for (int i = 0; i < length; i++)
            {
                detected.Add(Detection.Decode(output[i], width, height, SceneDetector.Anchor,
                    SceneDetections.Threshold));
                // The truth's own boxes, decoded as the output is: the cells holding objects, exactly.
                Tensor cell = truth[start + i];
                boxes.Add([.. Detection.Decode(SceneDetections.AsOutput(cell, classes), width, height,
                    SceneDetector.Anchor, 0.5f, 1f).Select(d => (d.Box, d.ClassIndex))]);
            }
        }
        return SceneDetections.MeanAveragePrecision(detected, boxes);
    }

    /// <summary>
    /// Draws and prepares scenes: [N, 3, H, W] inputs, and [N, classes] multi-hot labels or, for a segmenter,
    /// [N, H, W] pixel labels (bytes), for a detector [N, 6, H/8, W/8] truth per cell.
    /// </summary>
    private static (Tensor Inputs, Tensor Labels) Encode(ISceneWorld world, IReadOnlyList<string> classes, int seed,
        int count, string architecture, string what, IProgress<string>? progress, CancellationToken cancellation)
    {
        bool dense = architecture == SceneModelRecipe.Segmenter;
        bool detector = architecture == SceneModelRecipe.Detector;
        var inputs = new Tensor[count];
        var labels = new List<Tensor>(count);
        for (int i = 0; i < count; i++)
        {
            cancellation.ThrowIfCancellationRequested();
            using Scene scene = world.Generate(seed, i);
            inputs[i] = ImagePreprocessor.Prepare(scene.Image, Preprocessing).ToTensor();
            labels.Add(dense ? tensor(PixelLabels(scene)).reshape(1, scene.Height, scene.Width)
                : detector ? tensor(SceneDetections.Truth(scene, classes)).reshape(1, SceneDetections.TruthChannels,
                    scene.Height / ShapeEncoder.Stride, scene.Width / ShapeEncoder.Stride)
                : tensor(Labels(scene)).reshape(1, Classes.Count));
            if ((i + 1) % 2000 == 0) progress?.Report($"{what}: {i + 1}/{count} scenes drawn");
        }
        Tensor batch = cat(inputs, 0), labelled = cat(labels, 0);
        foreach (Tensor one in inputs.Concat(labels)) one.Dispose();
        return (batch, labelled);
    }
}
