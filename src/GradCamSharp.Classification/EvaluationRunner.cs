using System.Diagnostics;
using System.Globalization;
using GradCamSharp.Evaluation;
using GradCamSharp.Imaging;
using GradCamSharp.Maps;
using GradCamSharp.Methods;
using GradCamSharp.Models;
using GradCamSharp.Onnx;
using GradCamSharp.Scenes;
using GradCamSharp.Targets;
using SkiaSharp;
using TorchSharp;
using static TorchSharp.torch;
using GradCamSharp.Catalog;
using GradCamSharp.Pipeline;

namespace GradCamSharp.Classification;

/// <summary>
/// The Grad-CAM paper's evaluation on annotated pictures, every method in one pass: each picture is decoded and
/// prepared once, each method explains all its objects' classes in one call, each object's occlusion map (for
/// faithfulness) is computed once for all methods, then per method the
/// pointing game, weakly-supervised localisation, class discrimination, faithfulness, deletion and insertion, Average
/// Drop and Increase in Confidence, and the cascading and independent randomization sanity checks.
/// </summary>
public static class EvaluationRunner
{
    /// <summary>Cascading randomization: the weights from the top down to the end of band k.</summary>
    public const string Cascading = "cascading";

    /// <summary>Independent randomization: band k alone.</summary>
    public const string Independent = "independent";

    /// <summary>
    /// Reads a boxes file (<c>{"photo.jpg": {"label": [x0, y0, x1, y1]}}</c>, see <see cref="PhotoAnnotations"/>) into
    /// cases.
    /// </summary>
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

    /// <summary>
    /// The cases of seeded composite scenes (<see cref="PhotoWorld"/>): objects cut from annotated photos and pasted,
    /// each later one in front of the earlier ones, with exact boxes; the scenes are regenerated when evaluated.
    /// </summary>
    public static IReadOnlyList<EvaluationCase> Composites(PhotoWorld world, int count, int seed)
    {
        ArgumentNullException.ThrowIfNull(world);
        var cases = new List<EvaluationCase>();
        for (int index = 0; index < count; index++)
        {
            using Scene scene = world.Generate(seed, index);
            int sceneIndex = index;
            SceneObject[] objects = scene.Objects.ToArray();
            Box[] Nearer(int i) => objects.Skip(i + 1).Select(o => o.Box).ToArray();
            for (int i = 0; i < objects.Length; i++)
            {
                int own = i;
                cases.Add(new EvaluationCase($"composite-{seed}-{index:D4}.png", objects[i].Label, objects[i].Box)
                {
                    Occluders = Nearer(i),
                    Others = objects.Select((o, j) => (o, j)).Where(p => p.j != own)
                        .Select(p => new EvaluationNeighbour(p.o.Label, p.o.Box, Nearer(p.j), own > p.j)).ToArray(),
                    Picture = () =>
                    {
                        using Scene again = world.Generate(seed, sceneIndex);
                        return again.Image.Copy();
                    },
                });
            }
        }
        return cases;
    }

    /// <summary>
    /// The label each case's object is scored as: an alias, or the label itself when the model has it.
    /// </summary>
    /// <returns>The class index per case (null when the model lacks the label) and the labels it lacks,
    /// counted.</returns>
    public static (int?[] Classes, IReadOnlyDictionary<string, int> Unmatched) Match(LoadedModel model,
        IReadOnlyList<EvaluationCase> cases, IReadOnlyDictionary<string, string> aliases)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(cases);
        ArgumentNullException.ThrowIfNull(aliases);
        var unmatched = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var classes = new int?[cases.Count];
        for (int i = 0; i < cases.Count; i++)
        {
            string label = aliases.GetValueOrDefault(cases[i].Label) ?? cases[i].Label;
            try
            {
                classes[i] = Labels.Resolve(label, model.Labels, null);
            }
            catch (UsageException)
            {
                unmatched[cases[i].Label] = unmatched.GetValueOrDefault(cases[i].Label) + 1;
            }
        }
        return (classes, unmatched);
    }

    /// <summary>
    /// The methods an evaluation with <paramref name="options"/> runs: those asked for, and the RandomCAM baseline
    /// last unless it is asked for or <see cref="EvaluationOptions.Baseline"/> is off.
    /// </summary>
    public static IReadOnlyList<MethodDescriptor> Methods(EvaluationOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        IReadOnlyList<MethodDescriptor> asked = KnownMethods.Expand(options.Methods);
        return options.Baseline && asked.All(m => m.Name != BaselineMethod)
            ? [.. asked, KnownMethods.Get(BaselineMethod)] : asked;
    }

    /// <summary>The method every table shows as its chance level.</summary>
    public const string BaselineMethod = "randomcam";

    /// <summary>
    /// Evaluates every method of <paramref name="options"/> on every case whose label the model knows.
    /// </summary>
    /// <param name="model">The model; labels are matched against its class names.</param>
    /// <param name="cases">Annotated objects.</param>
    /// <param name="options">Methods and measures.</param>
    /// <param name="randomized">
    /// Loads the model with the given band of its weights randomised, for the sanity checks; null skips them.
    /// </param>
    /// <param name="progress">One line per case, with the time left.</param>
    /// <param name="thumbnails">Given a thumbnail per method for the first cases (see
    /// <see cref="EvaluationOptions.Thumbnails"/>).</param>
    /// <param name="failures">Given a picture of each object the model does not rank first: every one whose top-1 class
    /// is absent from the picture, and the first of the others (see <see cref="EvaluationOptions.FailureGallery"/>).
    /// </param>
    /// <param name="cancellation">Stops between methods, and within a method that scores perturbed inputs between
    /// its batches: within seconds, the case under way being lost.</param>
    /// <param name="include">Which pictures (by <see cref="EvaluationCase.Image"/>) to evaluate: a shard's, those a
    /// resumed run has not done; all when null. Thumbnails go to the same cases whichever are included.</param>
    /// <param name="evaluated">Told each picture's results as soon as they are computed (to stream them).</param>
    /// <example>
    /// <code>
    /// using LoadedModel model = DefaultModel.Load();
    /// IReadOnlyList&lt;EvaluationCase&gt; cases = EvaluationRunner.ReadBoxes("samples/boxes.json", "samples");
    /// var options = new EvaluationOptions { Methods = ["gradcam", "guided-gradcam"], SanitySteps = 0 };
    /// IReadOnlyList&lt;EvaluationResult&gt; results = EvaluationRunner.Run(model, cases, options);
    /// EvaluationSummary summary = EvaluationSummary.Of(model.Name, "samples", results,
    ///     new Dictionary&lt;string, int&gt;(), options);   // summary.FailureModes, summary.Methods[0].Metrics
    /// </code>
    /// </example>
    public static IReadOnlyList<EvaluationResult> Run(LoadedModel model, IReadOnlyList<EvaluationCase> cases,
        EvaluationOptions options, Func<WeightBand, LoadedModel>? randomized = null,
        IProgress<string>? progress = null, Action<EvaluationThumbnail>? thumbnails = null,
        Func<string, bool>? include = null, Action<EvaluatedPicture>? evaluated = null,
        Action<EvaluationFailure>? failures = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(cases);
        ArgumentNullException.ThrowIfNull(options);
        IReadOnlyList<MethodDescriptor> methods = Methods(options);
        (int?[] classes, _) = Match(model, cases, options.Aliases);
        var sanity = new List<(string Kind, WeightBand Band, LoadedModel Model)>();
        try
        {
            int steps = randomized is null ? 0 : options.SanitySteps;
            for (int k = 1; k <= steps; k++)
                sanity.Add((Cascading, new WeightBand(0, (double)k / steps),
                    randomized!(new WeightBand(0, (double)k / steps))));
            for (int k = 1; k <= steps && steps > 1; k++)
            {
                var band = new WeightBand((double)(k - 1) / steps, (double)k / steps);
                sanity.Add((Independent, band, randomized!(band)));
            }
            var camOptions = new CamOptions { Layer = model.DefaultLayer ?? ModelLayers.Auto };
            var explainers = methods.Select(m => m.Create(model.Model, camOptions)).ToArray();
            var randomExplainers = sanity.Select(s => methods.Select(m => m.Create(s.Model.Model, camOptions))
                .ToArray()).ToArray();
            var results = new List<EvaluationResult>();
            IGrouping<string, int>[] pictures = [.. Enumerable.Range(0, cases.Count).Where(i => classes[i] is not null)
                .GroupBy(i => cases[i].Image)];
            // The first cases of the whole run get thumbnails, whichever pictures this pass includes.
            int[] ordinals = new int[cases.Count];
            int ordinal = 0;
            foreach (int i in pictures.SelectMany(p => p)) ordinals[i] = ordinal++;
            int[] included = [.. Enumerable.Range(0, pictures.Length).Where(p => include?.Invoke(pictures[p].Key)
                ?? true)];
            int total = included.Sum(p => pictures[p].Count()), done = 0, pictured = 0;
            var clock = Stopwatch.StartNew();
            var run = new RunOptions { Cancellation = cancellation };
            foreach (int index in included)
            {
                IGrouping<string, int> picture = pictures[index];
                using SKBitmap photo = cases[picture.First()].Picture?.Invoke()
                    ?? ImageLoader.Load(cases[picture.First()].Image);
                var own = new List<EvaluationResult>();
                var ownThumbnails = new List<EvaluationThumbnail>();
                var ownFailures = new List<EvaluationFailure>();
                cancellation.ThrowIfCancellationRequested();
                PreparedImage prepared = ImagePreprocessor.Prepare(photo, model.Preprocessing);
                Dictionary<int, Explanation[]> explained = ExplainEveryClass(prepared,
                    [.. picture.Select(i => classes[i]!.Value)], explainers, run);
                foreach (int i in picture)
                {
                    cancellation.ThrowIfCancellationRequested();
                    bool thumbnail = ordinals[i] < options.Thumbnails
                        && (thumbnails is not null || evaluated is not null);
                    bool gallery = failures is not null || evaluated is not null;
                    HashSet<int> others = [.. picture.Where(j => j != i).Select(j => classes[j]!.Value)];
                    own.AddRange(EvaluateCase(model, cases[i], classes[i]!.Value, others, photo, prepared, options,
                        methods,
                        explainers, explained[classes[i]!.Value], sanity.Select(s => (s.Kind, s.Band)).ToArray(),
                        randomExplainers, run,
                        thumbnail ? t => { thumbnails?.Invoke(t); ownThumbnails.Add(t); } : null,
                        gallery ? f =>
                        {
                            // Every miss to a class the picture does not hold (the paper's kind, and rare); the
                            // first others up to the gallery's size.
                            if (f.OtherObject && pictured >= options.FailureGallery) return;
                            if (f.OtherObject) pictured++;
                            failures?.Invoke(f);
                            ownFailures.Add(f);
                        } : null));
                    done++;
                    TimeSpan left = clock.Elapsed / done * (total - done);
                    progress?.Report($"{done}/{total} {Path.GetFileName(cases[i].Image)} {cases[i].Label}: " +
                        $"{Clock(clock.Elapsed)} elapsed, about {Clock(left)} left");
                }
                results.AddRange(own);
                evaluated?.Invoke(new EvaluatedPicture(picture.Key, index, own, ownThumbnails)
                {
                    Failures = ownFailures,
                });
            }
            return results;
        }
        finally
        {
            foreach (var (_, _, randomModel) in sanity) randomModel.Dispose();
        }
    }

    /// <summary>
    /// Each method's explanation of each class of a picture, by class: one call per method for all of them, so that
    /// a perturbation method scores its perturbed copies of the picture once for all its objects (Score-CAM's masked
    /// inputs, Ablation-CAM's ablated maps) and a gradient method runs one forward pass.
    /// </summary>
    private static Dictionary<int, Explanation[]> ExplainEveryClass(PreparedImage prepared,
        IReadOnlyList<int> classes, IExplainer[] explainers, RunOptions run)
    {
        using DisposeScope scope = NewDisposeScope();
        Tensor input = prepared.ToTensor();
        int[] distinct = [.. classes.Distinct()];
        IReadOnlyList<ITarget> targets = [.. distinct.Select(c => new ClassTarget(c))];
        IReadOnlyList<Explanation>[] byMethod = [.. explainers.Select(e =>
        {
            run.Cancellation.ThrowIfCancellationRequested();
            return e.Explain(input, [targets], run);
        })];
        return distinct.Select((c, k) => (c, k))
            .ToDictionary(p => p.c, p => byMethod.Select(e => e[p.k]).ToArray());
    }

    private static List<EvaluationResult> EvaluateCase(LoadedModel model, EvaluationCase item, int classIndex,
        HashSet<int> otherClasses, SKBitmap photo, PreparedImage prepared, EvaluationOptions options,
        IReadOnlyList<MethodDescriptor> methods, IExplainer[] explainers, Explanation[] explanations,
        (string Kind, WeightBand Band)[] sanity,
        IExplainer[][] randomExplainers, RunOptions run, Action<EvaluationThumbnail>? thumbnails,
        Action<EvaluationFailure>? failures)
    {
        using DisposeScope scope = NewDisposeScope();
        Tensor input = prepared.ToTensor();
        var target = new ClassTarget(classIndex);
        (int predicted, int rank) = Prediction(model, prepared, classIndex);
        string predictedLabel = model.LabelOf(predicted) ?? $"class {predicted}";
        OcclusionOptions occlusionOptions = OcclusionOptions.For(input.shape[2], input.shape[3]);
        Heatmap? occlusion = options.Faithfulness
            ? Occlusion.Map(model.Model, input, target, occlusionOptions) : null;
        var results = new List<EvaluationResult>();
        // Methods equal by construction on a model (XGrad-CAM, HiResCAM and ShapleyCAM to Grad-CAM over a pooled linear
        // head) give the same map to the bit; the measures that run the model on it are then computed once.
        var scored = new Dictionary<Heatmap, (DeletionInsertionCurves, (double, double), RoadCurves?)>(
            SameValues.Instance);
        for (int m = 0; m < methods.Count; m++)
        {
            run.Cancellation.ThrowIfCancellationRequested();
            Explanation explanation = explanations[m];
            Heatmap map = Measured(explanation);
            Heatmap onPhoto = prepared.ToOriginal(map);
            Box? found = Localization.BoundingBox(onPhoto);
            if (!scored.TryGetValue(map, out var measures))
            {
                measures = (DeletionInsertion.Compute(model.Model, input, target, map, options.DeletionSteps),
                    ConfidenceChange.Probabilities(model.Model, input, classIndex, map),
                    options.Road ? Road.Compute(model.Model, input, classIndex, map) : null);
                scored[map] = measures;
            }
            (DeletionInsertionCurves curves, (double probability, double explained), RoadCurves? road) = measures;
            (double Complexity, double Coherency, double Score)? arcc = road is null ? null
                : Arcc(explainers[m], input, target, map, road, run);
            (double Own, double Other, double Beaten)? discrimination = Discrimination(onPhoto, item);
            if (m == 0 && rank > 1 && failures is not null)
            {
                Heatmap predictedMap = prepared.ToOriginal(Measured(explainers[m].Explain(input,
                    new ClassTarget(predicted)).Single()));
                failures(new EvaluationFailure(item.Image, item.Label, predictedLabel, rank, methods[m].Name,
                    FailurePanels(photo, predictedMap, onPhoto, item.Box))
                {
                    OtherObject = otherClasses.Contains(predicted),
                });
            }
            if (thumbnails is not null)
            {
                thumbnails(new EvaluationThumbnail(item.Image, item.Label, methods[m].Name,
                    Thumbnail(photo, onPhoto, item.Box, found)));
            }
            var randomization = new List<SanityStep>();
            float[] absolute = Absolute(explanation.Heatmap);
            Heatmap magnitude = Magnitude(explanation.Heatmap);
            for (int s = 0; s < sanity.Length; s++)
            {
                Heatmap random = randomExplainers[s][m].Explain(input, target).Single().Heatmap;
                randomization.Add(new SanityStep(sanity[s].Kind, sanity[s].Band.FromTop, sanity[s].Band.ToTop,
                    RankCorrelation.Spearman(absolute, Absolute(random)), Ssim.Compute(magnitude, Magnitude(random))));
            }
            results.Add(new EvaluationResult
            {
                Method = methods[m].Name,
                Image = item.Image,
                Label = item.Label,
                Predicted = predictedLabel,
                TrueRank = rank,
                PredictedOtherObject = rank > 1 ? otherClasses.Contains(predicted) : null,
                PointingHit = PointingGame.Hit(onPhoto, [item.Box]),
                EnergyInBox = PointingGame.Energy(onPhoto, item.Box),
                BoxIoU = found?.IntersectionOverUnion(item.Box) ?? 0,
                PeakOnObject = item.Others.Count == 0 ? null : ClassDiscrimination.PeakIsOwn(onPhoto, item.Box,
                    item.Others.Select(o => o.Box).ToArray(), item.Others.Select(o => o.BehindTheCase).ToArray()),
                Discrimination = discrimination?.Beaten,
                OwnShare = discrimination?.Own,
                OtherShare = discrimination?.Other,
                Faithfulness = occlusion is null ? null
                    : Faithfulness.RankCorrelation(map, occlusion, occlusionOptions),
                Deletion = curves.DeletionArea,
                Insertion = curves.InsertionArea,
                RoadMostRelevantFirst = road?.MostRelevantFirstMean,
                RoadLeastRelevantFirst = road?.LeastRelevantFirstMean,
                RoadMostRelevantFirstCurve = road is null ? [] : [.. road.MostRelevantFirst.Select(v => (float)v)],
                RoadLeastRelevantFirstCurve = road is null ? [] : [.. road.LeastRelevantFirst.Select(v => (float)v)],
                Arcc = arcc?.Score,
                Complexity = arcc?.Complexity,
                Coherency = arcc?.Coherency,
                DeletionCurve = curves.Deletion,
                InsertionCurve = curves.Insertion,
                Probability = probability,
                ExplainedProbability = explained,
                RandomizedSimilarity = randomization.LastOrDefault(r => r.Kind == Cascading)?.Spearman,
                Randomization = randomization,
            });
        }
        return results;
    }

    /// <summary>Hours (however many: a run over every method can take days), minutes and seconds.</summary>
    internal static string Clock(TimeSpan time) =>
        string.Create(CultureInfo.InvariantCulture, $"{(int)time.TotalHours}:{time:mm\\:ss}");

    /// <summary>The map every metric measures: a CAM map as it is, an input attribution made locatable.</summary>
    private static Heatmap Measured(Explanation explanation) => explanation.Attribution is null
        ? explanation.Heatmap : PhotoExplainer.Locatable(explanation.Heatmap);

    /// <summary>
    /// ARCC's three parts and its score: the map's complexity, its coherency (the same method's map of the input
    /// multiplied by it, against it) and ROAD.
    /// </summary>
    private static (double Complexity, double Coherency, double Score) Arcc(IExplainer explainer, Tensor input,
        ClassTarget target, Heatmap map, RoadCurves road, RunOptions run)
    {
        using DisposeScope scope = NewDisposeScope();
        Tensor mask = tensor(map.Values).reshape(1, 1, map.Height, map.Width).to(input.dtype);
        Explanation again = explainer.Explain(input * mask, [[target]], run).Single();
        Heatmap remapped = Measured(again);
        double complexity = Evaluation.Arcc.Complexity(map), coherency = Evaluation.Arcc.Coherency(map, remapped);
        return (complexity, coherency, Evaluation.Arcc.Score(complexity, coherency, road.Combined));
    }

    /// <summary>
    /// The model's top-1 class (leaving out classes that are no answer, such as a background) and the rank of
    /// <paramref name="classIndex"/> among its scores (1: top).
    /// </summary>
    private static (int Predicted, int Rank) Prediction(LoadedModel model, PreparedImage prepared, int classIndex)
    {
        IReadOnlyList<RankedClass> ranked = ClassRanking.RankPrepared(model, [prepared], int.MaxValue)[0];
        int position = ranked.Select(r => r.Index).ToList().IndexOf(classIndex);
        return (ranked[0].Index, position < 0 ? ranked.Count + 1 : position + 1);
    }

    /// <summary>
    /// The paper's Figure 2 for one object, three panels of 160 px: the photo with the object's box, the map of the
    /// predicted class and the map of the true class.
    /// </summary>
    private static byte[] FailurePanels(SKBitmap photo, Heatmap predicted, Heatmap truth, Box box)
    {
        const int width = 160;
        int height = Math.Max(1, (int)Math.Round(photo.Height * (double)width / photo.Width));
        using var surface = SKSurface.Create(new SKImageInfo(3 * width + 8, height));
        SKCanvas canvas = surface.Canvas;
        canvas.Clear(SKColors.White);
        IColormap colormap = KnownColormaps.Get(KnownColormaps.Default);
        using SKBitmap predictedOverlay = Renderer.Overlay(photo, predicted, colormap);
        using SKBitmap truthOverlay = Renderer.Overlay(photo, truth, colormap);
        SKBitmap[] panels = [photo, predictedOverlay, truthOverlay];
        float scale = width / (float)photo.Width;
        using var paint = new SKPaint { Color = new SKColor(0, 200, 0), Style = SKPaintStyle.Stroke, StrokeWidth = 2 };
        for (int p = 0; p < panels.Length; p++)
        {
            float left = p * (width + 4);
            using SKImage image = SKImage.FromBitmap(panels[p]);
            canvas.DrawImage(image, new SKRect(left, 0, left + width, height),
                new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.None));
            canvas.DrawRect(new SKRect(left + box.X0 * scale, box.Y0 * scale, left + box.X1 * scale,
                box.Y1 * scale), paint);
        }
        using SKImage snapshot = surface.Snapshot();
        using SKData png = snapshot.Encode(SKEncodedImageFormat.Png, 100);
        return png.ToArray();
    }

    /// <summary>The map over the picture, 160 px wide, the annotated box green and the 15% box white.</summary>
    private static byte[] Thumbnail(SKBitmap photo, Heatmap map, Box truth, Box? found)
    {
        using SKBitmap overlay = Renderer.Overlay(photo, map, KnownColormaps.Get(KnownColormaps.Default));
        float scale = 160f / photo.Width;
        var info = new SKImageInfo(160, Math.Max(1, (int)Math.Round(photo.Height * scale)));
        using var surface = SKSurface.Create(info);
        SKCanvas canvas = surface.Canvas;
        using SKImage image = SKImage.FromBitmap(overlay);
        canvas.DrawImage(image, new SKRect(0, 0, info.Width, info.Height),
            new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.None));
        void Draw(Box box, SKColor colour)
        {
            using var paint = new SKPaint { Color = colour, Style = SKPaintStyle.Stroke, StrokeWidth = 2 };
            canvas.DrawRect(new SKRect(box.X0 * scale, box.Y0 * scale, box.X1 * scale, box.Y1 * scale), paint);
        }
        Draw(truth, new SKColor(0, 200, 0));
        if (found is Box box) Draw(box, SKColors.White);
        using SKImage snapshot = surface.Snapshot();
        using SKData png = snapshot.Encode(SKEncodedImageFormat.Png, 100);
        return png.ToArray();
    }

    /// <summary>Heatmaps equal when their sizes and every value are.</summary>
    private sealed class SameValues : IEqualityComparer<Heatmap>
    {
        public static SameValues Instance { get; } = new();

        public bool Equals(Heatmap? x, Heatmap? y) => ReferenceEquals(x, y) || x is not null && y is not null
            && x.Width == y.Width && x.Height == y.Height && x.Values.AsSpan().SequenceEqual(y.Values);

        public int GetHashCode(Heatmap obj)
        {
            var hash = new HashCode();
            hash.AddBytes(System.Runtime.InteropServices.MemoryMarshal.AsBytes(obj.Values.AsSpan()));
            return hash.ToHashCode();
        }
    }

    private static float[] Absolute(Heatmap map) => map.Values.Select(Math.Abs).ToArray();

    private static Heatmap Magnitude(Heatmap map) => new(map.Width, map.Height, Absolute(map));

    /// <summary>
    /// On a picture with other objects: the map's share where this object is visible, its mean share where each
    /// other object is, and the share of the others on which it holds less of its mass than on this one.
    /// </summary>
    private static (double Own, double Other, double Beaten)? Discrimination(Heatmap map, EvaluationCase item)
    {
        if (item.Others.Count == 0) return null;
        (double Own, double Other)[] shares = item.Others.Select(other =>
            ClassDiscrimination.Shares(map, item.Box, item.Occluders, other.Box, other.Occluders)).ToArray();
        return (shares[0].Own, shares.Average(s => s.Other),
            (double)shares.Count(s => s.Own > s.Other) / shares.Length);
    }
}
