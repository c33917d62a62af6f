using GradCamSharp.Evaluation;
using GradCamSharp.Imaging;
using GradCamSharp.Maps;
using GradCamSharp.Methods;
using GradCamSharp.Scenes;
using GradCamSharp.Targets;
using SkiaSharp;
using TorchSharp;
using static TorchSharp.torch;

namespace GradCamSharp.Pipeline;

/// <summary>
/// The Grad-CAM paper's evaluation on annotated photos: pointing game, weakly-supervised localisation (box IoU),
/// faithfulness (rank correlation with occlusion), deletion and insertion areas and, optionally, the
/// parameter-randomization sanity check.
/// </summary>
public static class EvaluationRunner
{
    /// <summary>
    /// Reads a boxes file (<c>{"photo.jpg": {"label": [x0, y0, x1, y1]}}</c>, see <see cref="PhotoAnnotations"/>) into
    /// cases.
    /// </summary>
    /// <param name="path">The JSON file.</param>
    /// <param name="imagesFolder">Where the photos are.</param>
    /// <exception cref="UnreadableInputException">Missing or malformed.</exception>
    public static IReadOnlyList<EvaluationCase> ReadBoxes(string path, string imagesFolder) =>
        PhotoAnnotations.Read(path, imagesFolder).SelectMany(Cases).ToList();

    /// <summary>The cases of one annotated photo: each object with the others around it.</summary>
    public static IEnumerable<EvaluationCase> Cases(AnnotatedPhoto photo)
    {
        ArgumentNullException.ThrowIfNull(photo);
        Box[] Nearer(AnnotatedObject o) => photo.InFrontOf(o).Select(n => n.Box).ToArray();
        int Depth(AnnotatedObject o) => photo.Objects.ToList().IndexOf(o);
        return photo.Objects.Select(item => new EvaluationCase(photo.Path, item.Label, item.Box)
        {
            Occluders = Nearer(item),
            Others = photo.Objects.Where(o => o != item)
                .Select(o => new EvaluationNeighbour(o.Label, o.Box, Nearer(o), Depth(item) < Depth(o))).ToArray(),
        });
    }

    /// <summary>Evaluates each of <paramref name="methods"/> on every case whose label the model knows.</summary>
    /// <param name="model">The model; labels are matched against its class names.</param>
    /// <param name="cases">Annotated objects.</param>
    /// <param name="methods">Method names (see <c>KnownMethods</c>; "all" is the paper's four).</param>
    /// <param name="randomized">The same model with random weights, for the sanity check; null skips it.</param>
    /// <param name="aliases">Box labels to class names, e.g. eagle to bird.</param>
    /// <param name="progress">One line per case.</param>
    public static IReadOnlyList<EvaluationResult> Run(LoadedModel model, IReadOnlyList<EvaluationCase> cases,
        IReadOnlyList<string> methods, LoadedModel? randomized = null,
        IReadOnlyDictionary<string, string>? aliases = null, IProgress<string>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(cases);
        var results = new List<EvaluationResult>();
        foreach (MethodDescriptor method in KnownMethods.Expand(methods))
            results.AddRange(Run(model, cases, method, randomized, aliases, progress));
        return results;
    }

    private static List<EvaluationResult> Run(LoadedModel model, IReadOnlyList<EvaluationCase> cases,
        MethodDescriptor method, LoadedModel? randomized, IReadOnlyDictionary<string, string>? aliases,
        IProgress<string>? progress)
    {
        var options = new CamOptions();
        IExplainer explainer = method.Create(model.Model, options);
        IExplainer? randomExplainer = randomized is null ? null : method.Create(randomized.Model, options);
        var occlusion = OcclusionOptions.For(model.Preprocessing.Height, model.Preprocessing.Width);
        var results = new List<EvaluationResult>();
        foreach (EvaluationCase item in cases)
        {
            string label = aliases?.GetValueOrDefault(item.Label) ?? item.Label;
            int classIndex;
            try
            {
                classIndex = Labels.Resolve(label, model.Labels, null);
            }
            catch (UsageException)
            {
                progress?.Report($"{Path.GetFileName(item.Image)} {item.Label}: skipped (the model has no such class)");
                continue;
            }
            using DisposeScope scope = NewDisposeScope();
            using SKBitmap photo = ImageLoader.Load(item.Image);
            PreparedImage prepared = ImagePreprocessor.Prepare(photo, model.Preprocessing);
            Tensor input = prepared.ToTensor();
            var target = new ClassTarget(classIndex);

            Explanation explanation = explainer.Explain(input, target).Single();
            Heatmap onPhoto = prepared.ToOriginal(explanation.Heatmap);
            Box? found = Localization.BoundingBox(onPhoto);
            double faithfulness = Faithfulness.RankCorrelation(explanation.Heatmap,
                Occlusion.Map(model.Model, input, target, occlusion), occlusion);
            DeletionInsertionCurves curves = DeletionInsertion.Compute(model.Model, input, target, explanation.Heatmap);
            double? similarity = randomExplainer is null ? null
                : RankCorrelation.Spearman(explanation.Heatmap.Values,
                    randomExplainer.Explain(input, target).Single().Heatmap.Values);
            (bool? peakOnObject, double? discrimination) = Discrimination(onPhoto, item);
            var result = new EvaluationResult
            {
                Method = method.Name,
                PeakOnObject = peakOnObject,
                Discrimination = discrimination,
                Image = item.Image,
                Label = item.Label,
                PointingHit = PointingGame.Hit(onPhoto, [item.Box]),
                BoxIoU = found?.IntersectionOverUnion(item.Box) ?? 0,
                Faithfulness = faithfulness,
                Deletion = curves.DeletionArea,
                Insertion = curves.InsertionArea,
                RandomizedSimilarity = similarity,
            };
            results.Add(result);
            progress?.Report($"{method.Name}: {Path.GetFileName(item.Image)} {item.Label}: pointing " +
                $"{(result.PointingHit ? "hit" : "miss")}, IoU {result.BoxIoU:0.00}, faithfulness {faithfulness:0.00}");
        }
        return results;
    }

    /// <summary>
    /// On a photo with other annotated objects: whether the map's peak is on this object (not on one it stands
    /// behind), and the share of the other objects on which the map holds less of its mass than on this one.
    /// </summary>
    private static (bool? PeakOnObject, double? Discrimination) Discrimination(Heatmap map, EvaluationCase item)
    {
        if (item.Others.Count == 0) return (null, null);
        bool peak = ClassDiscrimination.PeakIsOwn(map, item.Box, item.Others.Select(o => o.Box).ToArray(),
            item.Others.Select(o => o.BehindTheCase).ToArray());
        int beaten = item.Others.Count(other =>
        {
            (double own, double theirs) =
                ClassDiscrimination.Shares(map, item.Box, item.Occluders, other.Box, other.Occluders);
            return own > theirs;
        });
        return (peak, (double)beaten / item.Others.Count);
    }
}
