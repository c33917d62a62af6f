using System.Text.Json;
using GradCamSharp.Evaluation;
using GradCamSharp.Imaging;
using GradCamSharp.Maps;
using GradCamSharp.Methods;
using GradCamSharp.Targets;
using SkiaSharp;
using TorchSharp;
using static TorchSharp.torch;

namespace GradCamSharp.Runtime;

/// <summary>
/// The Grad-CAM paper's evaluation on annotated photos: pointing game, weakly-supervised localisation (box IoU),
/// faithfulness (rank correlation with occlusion), deletion and insertion areas and, optionally, the
/// parameter-randomization sanity check.
/// </summary>
public static class EvaluationRunner
{
    /// <summary>Reads a boxes file (<c>{"photo.jpg": {"label": [x0, y0, x1, y1]}}</c>) into cases.</summary>
    /// <param name="path">The JSON file.</param>
    /// <param name="imagesFolder">Where the photos are.</param>
    /// <exception cref="ModelLoadException">Missing or malformed.</exception>
    public static IReadOnlyList<EvaluationCase> ReadBoxes(string path, string imagesFolder)
    {
        if (!File.Exists(path)) throw new ModelLoadException($"boxes file '{path}' not found");
        try
        {
            using JsonDocument document = JsonDocument.Parse(File.ReadAllText(path));
            var cases = new List<EvaluationCase>();
            foreach (JsonProperty photo in document.RootElement.EnumerateObject().Where(p => p.Value.ValueKind == JsonValueKind.Object))
            {
                foreach (JsonProperty item in photo.Value.EnumerateObject())
                {
                    int[] c = item.Value.EnumerateArray().Select(v => v.GetInt32()).ToArray();
                    cases.Add(new EvaluationCase(Path.Combine(imagesFolder, photo.Name), item.Name, new Box(c[0], c[1], c[2], c[3])));
                }
            }
            return cases;
        }
        catch (Exception exception) when (exception is JsonException or InvalidOperationException or IndexOutOfRangeException)
        {
            throw new ModelLoadException($"boxes file '{path}' is malformed: {exception.Message}", exception);
        }
    }

    /// <summary>Evaluates <paramref name="method"/> on every case whose label the model knows.</summary>
    /// <param name="model">The model; labels are matched against its class names.</param>
    /// <param name="cases">Annotated objects.</param>
    /// <param name="method">A method name (see <c>KnownMethods</c>).</param>
    /// <param name="randomized">The same model with random weights, for the sanity check; null skips it.</param>
    /// <param name="aliases">Box labels to class names, e.g. eagle to bird.</param>
    /// <param name="progress">One line per case.</param>
    public static IReadOnlyList<EvaluationResult> Run(LoadedModel model, IReadOnlyList<EvaluationCase> cases, string method,
        LoadedModel? randomized = null, IReadOnlyDictionary<string, string>? aliases = null, IProgress<string>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(cases);
        var options = new CamOptions { Layer = model.DefaultLayer };
        IExplainer explainer = KnownMethods.Create(method, model.Model, options);
        IExplainer? randomExplainer = randomized is null ? null : KnownMethods.Create(method, randomized.Model, options);
        var occlusion = new OcclusionOptions();
        var results = new List<EvaluationResult>();
        foreach (EvaluationCase item in cases)
        {
            string label = aliases?.GetValueOrDefault(item.Label) ?? item.Label;
            int classIndex;
            try
            {
                classIndex = Labels.Resolve(label, model.Labels, null);
            }
            catch (ArgumentException)
            {
                progress?.Report($"{Path.GetFileName(item.Image)} {item.Label}: skipped (the model has no such class)");
                continue;
            }
            using DisposeScope scope = NewDisposeScope();
            using SKBitmap photo = ImageLoader.Load(item.Image);
            PreparedImage prepared = ImagePreprocessor.Prepare(photo, model.Preprocessing);
            Tensor input = tensor(prepared.Values, [1, 3, model.Preprocessing.Height, model.Preprocessing.Width]);
            var target = new ClassTarget(classIndex);

            Explanation explanation = explainer.Explain(input, target).Single();
            Heatmap onPhoto = prepared.ToOriginal(explanation.Heatmap);
            Box? found = Localization.BoundingBox(onPhoto);
            double faithfulness = Faithfulness.RankCorrelation(explanation.Heatmap, Occlusion.Map(model.Model, input, target, occlusion), occlusion);
            DeletionInsertionCurves curves = DeletionInsertion.Compute(model.Model, input, target, explanation.Heatmap);
            double? similarity = randomExplainer is null ? null
                : RankCorrelation.Spearman(explanation.Heatmap.Values, randomExplainer.Explain(input, target).Single().Heatmap.Values);
            var result = new EvaluationResult
            {
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
            progress?.Report($"{Path.GetFileName(item.Image)} {item.Label}: pointing {(result.PointingHit ? "hit" : "miss")}, IoU {result.BoxIoU:0.00}, faithfulness {faithfulness:0.00}");
        }
        return results;
    }
}
