using GradCamSharp.Catalog;
using GradCamSharp.Imaging;
using GradCamSharp.Maps;
using GradCamSharp.Methods;
using GradCamSharp.Models;
using GradCamSharp.Scenes;
using GradCamSharp.Targets;
using GradCamSharp.VisionLanguage.SceneModels;
using static TorchSharp.torch;

namespace GradCamSharp.VisionLanguage.Evaluation;

public static partial class VisionLanguageEvaluator
{
    /// <summary>The task name of <see cref="EvaluateDetector"/>'s reports.</summary>
    public const string Detect = "detect";

    /// <summary>
    /// Measures a single-tensor detector of a scene world (<c>shapes-detector</c>, <c>photos-detector</c>, or one
    /// trained so) on held-out scenes:
    /// mean average precision at IoU 0.5 against the exact boxes, and for each method, over every detection that finds
    /// a true object (the same pair, IoU at least 0.5), its map through <see cref="DetectionTarget"/> against that
    /// object's box: the pointing game, the mean inside over the mean outside, and the share of the map inside.
    /// </summary>
    /// <param name="model">A loaded detector.</param>
    /// <param name="scenes">How many held-out scenes.</param>
    /// <param name="seed">Their seed; the shipped models' training seeds (1 and 2) are refused.</param>
    /// <param name="methods">The methods (default <see cref="ClassifierMethods"/>).</param>
    /// <param name="anchor">The detector's box size for tw = th = 0, in input pixels.</param>
    /// <param name="world">The scenes: null for the shape world, or the photo world at the input's size
    /// (<see cref="SceneModelTrainer.PhotoWorldAt"/>).</param>
    /// <param name="progress">Receives a line every 50 scenes.</param>
    /// <param name="cancellation">Stops between scenes.</param>
    /// <exception cref="UsageException">Not a shape-world detector, a training seed, a bad count.</exception>
    public static VisionLanguageReport EvaluateDetector(LoadedModel model, int scenes, int seed,
        IReadOnlyList<string>? methods = null, float anchor = SceneDetector.Anchor, ISceneWorld? world = null,
        IProgress<string>? progress = null, CancellationToken cancellation = default)
    {
        using ISceneWorld? shapes = world is null ? new ShapeWorld() : null;
        world ??= shapes!;
        IReadOnlyList<string> classes = SceneModelTrainer.ClassesOf(world);
        string kind = world is PhotoWorld ? "photo-world" : "shape-world";
        methods = CheckedSceneModel(model, classes, "detector", scenes, seed, methods, kind);
        VisionLanguageReport report = SceneReport(model, Detect, world, scenes, seed);
        var scores = new Dictionary<(string Method, string Layer), LocalisationScore>();
        MethodSet set = KnownMethods.CreateSet(methods, model.Model);
        var detected = new List<IReadOnlyList<Detection>>();
        var truth = new List<IReadOnlyList<(Box Box, int ClassIndex)>>();
        double coverage = 0;
        int targets = 0;
        for (int i = 0; i < scenes; i++)
        {
            cancellation.ThrowIfCancellationRequested();
            using Scene scene = world.Generate(seed, i);
            using var scope = NewDisposeScope();
            Tensor input = ImagePreprocessor.Prepare(scene.Image, model.Preprocessing).ToTensor();
            Tensor output;
            using (no_grad())
            using (model.Model.BeginExplanation())
                output = model.Model.Forward(input, ForwardTaps.None);
            if (output.dim() != 4 || output.shape[1] != DetectionTarget.ClassOffset + classes.Count)
            {
                throw new UsageException($"{model.Name} is no {kind} detector: its output is " +
                    $"[{string.Join(", ", output.shape)}]");
            }
            IReadOnlyList<Detection> found = Detection.Decode(output[0], scene.Width, scene.Height, anchor,
                SceneDetections.Threshold);
            IReadOnlyList<(Box Box, int ClassIndex)> boxes = SceneDetections.Boxes(scene, classes);
            detected.Add(found);
            truth.Add(boxes);
            // Each detection that finds a true object (the same pair, the best overlap of at least 0.5), with it.
            var located = new List<(Detection Detection, Box Box)>();
            foreach (Detection detection in found)
            {
                var matched = boxes.Where(b => b.ClassIndex == detection.ClassIndex)
                    .Select(b => (b.Box, Iou: b.Box.IntersectionOverUnion(detection.Box)))
                    .Where(b => b.Iou >= 0.5).OrderByDescending(b => b.Iou).ToList();
                if (matched.Count > 0) located.Add((detection, matched[0].Box));
            }
            if (located.Count > 0)
            {
                // All of a scene's detections from one pass: ordered by detection, then method.
                IReadOnlyList<Explanation> explained = set.Explain(input,
                    [[.. located.Select(l => (ITarget)l.Detection.Target)]]);
                int perDetection = explained.Count / located.Count;
                for (int k = 0; k < explained.Count; k++)
                {
                    Box box = located[k / perDetection].Box;
                    if (k % perDetection == 0)
                    {
                        coverage += box.Area / (double)(scene.Width * scene.Height);
                        targets++;
                    }
                    bool Inside(int x, int y) => box.Contains(x + 0.5, y + 0.5);
                    Explanation explanation = explained[k];
                    Heatmap map = AtSceneSize(explanation.Heatmap, scene);
                    (int peakX, int peakY) = map.Peak;
                    ScoreOf(scores, explanation.Method, explanation.Layer)
                        .Count(map, Inside, map.Max > 0 && Inside(peakX, peakY));
                }
            }
            if ((i + 1) % 50 == 0 || i + 1 == scenes) progress?.Report($"{i + 1}/{scenes} scenes");
        }
        report.MeanAveragePrecision = SceneDetections.MeanAveragePrecision(detected, truth);
        report.Localisation.AddRange(scores.Values);
        report.ChancePointing = targets == 0 ? 0 : coverage / targets;
        return report;
    }
}
