using GradCamSharp.Catalog;
using GradCamSharp.Evaluation;
using GradCamSharp.Imaging;
using GradCamSharp.Maps;
using GradCamSharp.Methods;
using GradCamSharp.Models;
using GradCamSharp.Scenes;
using GradCamSharp.Targets;
using static TorchSharp.torch;

namespace GradCamSharp.VisionLanguage.Evaluation;

/// <summary>
/// Measures a captioner or VQA model on held-out scenes the way the issue and the paper ask: the model's own quality
/// (VQA accuracy per question type; caption exact match and BLEU-4), and for each method and layer the pointing game
/// and the mean map inside the named object's box over the mean outside, for every caption word that names an object
/// (its colour and its noun) and every answer about a single object.
/// </summary>
public static partial class VisionLanguageEvaluator
{
    /// <summary>The methods measured unless others are asked for.</summary>
    public static IReadOnlyList<string> DefaultMethods { get; } =
        [KnownMethods.GradCam, KnownMethods.GuidedGradCam, "gradcam++"];

    /// <summary>Evaluates <paramref name="model"/> on scenes 0 to <paramref name="scenes"/> - 1 of a seed.</summary>
    /// <param name="model">A captioner or VQA model.</param>
    /// <param name="world">The world the model was trained on.</param>
    /// <param name="scenes">How many held-out scenes.</param>
    /// <param name="seed">Their seed; the model's training seeds are refused.</param>
    /// <param name="methods">The methods to score (default <see cref="DefaultMethods"/>).</param>
    /// <param name="progress">Receives a line every 50 scenes.</param>
    /// <param name="beamWidth">How a captioner decodes its captions: 1 greedily, more by beam search.</param>
    /// <param name="cancellation">Stops between scenes.</param>
    /// <exception cref="UsageException">A training seed, a world the model was not trained on, a bad count.</exception>
    /// <example>
    /// <code>
    /// using VqaModel vqa = VisionLanguageCatalog.LoadVqa("shapes-vqa");
    /// using ISceneWorld world = SceneWorlds.Create("shapes", "samples/boxes.json", "samples");
    /// VisionLanguageReport report = VisionLanguageEvaluator.Evaluate(vqa, world, scenes: 500, seed: 1000);
    /// </code>
    /// </example>
    public static VisionLanguageReport Evaluate(VisionLanguageModel model, ISceneWorld world, int scenes, int seed,
        IReadOnlyList<string>? methods = null, IProgress<string>? progress = null, int beamWidth = 1,
        CancellationToken cancellation = default)
    {
        methods = Checked(model, world, scenes, seed, methods);
        var report = new VisionLanguageReport
        {
            Model = model.Name, Task = model.Task, World = world.Name, Scenes = scenes, Seed = seed,
            BeamWidth = model.Task == VisionLanguageTasks.Captioner ? beamWidth : null,
        };
        var captions = new List<(IReadOnlyList<string>, IReadOnlyList<string>)>();
        int exact = 0;
        ScoreScenes(model, world, scenes, seed, methods, report, (scene, input) =>
        {
            if (model is VqaModel vqa) return AskAll(vqa, scene, input, report);
            var captioner = (Captioner)model;
            string caption = captioner.Caption(input, beamWidth)[0];
            if (scene.Captions.Count > 0)
            {
                string reference = scene.Captions[0];
                captions.Add((Vocabulary.Split(caption), Vocabulary.Split(reference)));
                if (caption == string.Join(' ', Vocabulary.Split(reference))) exact++;
            }
            return GroundedWords(captioner, scene, report);
        }, progress, cancellation);
        if (model is Captioner && captions.Count > 0)
        {
            report.ExactMatch = exact / (double)captions.Count;
            report.Bleu4 = Bleu.Corpus(captions);
        }
        return report;
    }

    /// <summary>
    /// Generates each held-out scene, lets <paramref name="locate"/> name the targets and the boxes their maps should
    /// find, and scores every method's map at every layer into <paramref name="report"/>, with the chance level.
    /// </summary>
    private static void ScoreScenes(VisionLanguageModel model, ISceneWorld world, int scenes, int seed,
        IReadOnlyList<string> methods, VisionLanguageReport report, Func<Scene, Tensor, List<Located>> locate,
        IProgress<string>? progress, CancellationToken cancellation) =>
        ScoreScenes(scene => model.Prepare([scene.Image]), model.ExplainedLayers, shared: null, world, scenes, seed,
            methods, report, locate, progress, cancellation);

    /// <summary>
    /// <see cref="ScoreScenes(VisionLanguageModel, ISceneWorld, int, int, IReadOnlyList{string}, VisionLanguageReport,
    /// Func{Scene, Tensor, List{Located}}, IProgress{string}?, CancellationToken)"/> for any model: the targets'
    /// models are disposed after each scene, except <paramref name="shared"/>.
    /// </summary>
    private static void ScoreScenes(Func<Scene, Tensor> prepare, IReadOnlyList<string> layers,
        IExplainableModel? shared, ISceneWorld world, int scenes, int seed, IReadOnlyList<string> methods,
        VisionLanguageReport report, Func<Scene, Tensor, List<Located>> locate, IProgress<string>? progress,
        CancellationToken cancellation)
    {
        var scores = new Dictionary<(string Method, string Layer), LocalisationScore>();
        int boxes = 0;
        double coverage = 0;
        for (int i = 0; i < scenes; i++)
        {
            cancellation.ThrowIfCancellationRequested();
            using Scene scene = world.Generate(seed, i);
            using var scope = NewDisposeScope();
            Tensor input = prepare(scene);
            List<Located> located = locate(scene, input);
            coverage += Score(scores, located, input, scene, layers, methods);
            boxes += located.Count;
            foreach (IExplainableModel explained in located.Select(l => l.Model).Distinct())
                if (!ReferenceEquals(explained, shared)) explained.Dispose();
            if ((i + 1) % 50 == 0 || i + 1 == scenes) progress?.Report($"{i + 1}/{scenes} scenes");
        }
        report.Localisation.AddRange(scores.Values);
        report.ChancePointing = boxes == 0 ? 0 : coverage / boxes;
    }

    /// <summary>
    /// Refuses a world the model was not trained on, a training seed, a bad count and unknown methods.
    /// </summary>
    /// <returns>The methods to score: those given, or <see cref="DefaultMethods"/>.</returns>
    private static IReadOnlyList<string> Checked(VisionLanguageModel model, ISceneWorld world, int scenes, int seed,
        IReadOnlyList<string>? methods)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(world);
        VisionLanguageRecipe recipe = model.File.Training;
        if (world.Name != recipe.World)
            throw new UsageException($"{model.Name} was trained on the {recipe.World} world, not {world.Name}");
        if (seed == recipe.Seed || seed == recipe.HeldOutSeed)
        {
            throw new UsageException($"seed {seed} was used in training {model.Name} (seeds {recipe.Seed} and " +
                $"{recipe.HeldOutSeed}); choose another");
        }
        if (scenes < 1) throw new UsageException($"--scenes must be at least 1, got {scenes}");
        methods ??= DefaultMethods;
        _ = KnownMethods.Expand(methods);
        return methods;
    }

    /// <summary>Answers every question; returns a target per answer about one object (the true answer).</summary>
    private static List<Located> AskAll(VqaModel model, Scene scene,
        Tensor input, VisionLanguageReport report)
    {
        var located = new List<Located>();
        using Tensor features = model.Features(input);
        foreach (SceneQuestion question in scene.Questions)
        {
            int answer = model.Answers.ToList().IndexOf(question.Answer);
            int[] words;
            try
            {
                words = model.EncodeQuestion(question.Question);
            }
            catch (UsageException)
            {
                report.Skipped++;
                continue;
            }
            if (!report.Accuracy.TryGetValue(question.Type, out Tally? tally))
                report.Accuracy[question.Type] = tally = new Tally();
            tally.Total++;
            if (answer >= 0 && model.AnswerFromFeatures(features, words) == answer) tally.Right++;
            if (answer >= 0 && question.ObjectIndex is int index)
            {
                located.Add(new Located(VisionLanguageTargets.Answer(answer), model.ForQuestion(words),
                    scene.Objects[index].Box, question.Type));
            }
        }
        return located;
    }

    /// <summary>A target per word of the canonical caption that names an object (its colour or noun).</summary>
    private static List<Located> GroundedWords(Captioner model, Scene scene,
        VisionLanguageReport report)
    {
        if (scene.Captions.Count == 0) return [];
        int[] words;
        try
        {
            words = model.EncodeCaption(scene.Captions[0]);
        }
        catch (UsageException)
        {
            report.Skipped++;
            return [];
        }
        IExplainableModel explained = model.ForCaption(words);
        var located = new List<Located>();
        for (int t = 0; t < words.Length && t < scene.CaptionGrounding.Count; t++)
        {
            if (scene.CaptionGrounding[t] is int index)
            {
                string word = model.Vocabulary.Words[words[t]];
                located.Add(new Located(VisionLanguageTargets.Word(words, t, word), explained,
                    scene.Objects[index].Box, scene.Objects[index].Color == word ? "color" : "noun"));
            }
        }
        if (located.Count == 0) explained.Dispose();
        return located;
    }

    /// <summary>Scores every method's map at every layer for each located target into <paramref name="scores"/>.
    /// </summary>
    /// <returns>The sum of the targets' box shares of the scene, for the chance level of pointing.</returns>
    private static double Score(Dictionary<(string Method, string Layer), LocalisationScore> scores,
        IReadOnlyList<Located> located, Tensor input, Scene scene, IReadOnlyList<string> layers,
        IReadOnlyList<string> methods)
    {
        foreach (Located item in located)
        {
            foreach (string layer in layers)
            {
                MethodSet set = KnownMethods.CreateSet(methods, item.Model, new CamOptions { Layer = layer });
                foreach (Explanation explanation in set.Explain(input, item.Target))
                {
                    Heatmap map = AtSceneSize(explanation.Heatmap, scene);
                    // The automatic layer is reported as what it resolved to (attention methods: the last attention).
                    LocalisationScore score = ScoreOf(scores, explanation.Method,
                        layer == ModelLayers.Auto ? explanation.Layer : layer);
                    score.Targets++;
                    bool hit = PointingGame.Hit(map, item.Named, tolerance: 0);
                    if (hit) score.Hits++;
                    if (!score.PointingByKind.TryGetValue(item.Kind, out Tally? byKind))
                        score.PointingByKind[item.Kind] = byKind = new Tally();
                    byKind.Total++;
                    if (hit) byKind.Right++;
                    if (item.Others.Count > 0)
                    {
                        score.AmongOthers++;
                        if (!hit && PointingGame.Hit(map, item.Others, tolerance: 0)) score.OnOtherObject++;
                    }
                    if (item.Leftmost is Box leftmost)
                    {
                        score.NotLeftmost++;
                        if (!hit && PointingGame.Hit(map, leftmost)) score.OnLeftmost++;
                    }
                    (double inside, double outside) = MapRegions.Means(map, item.Box);
                    score.InsideSum += inside;
                    score.OutsideSum += outside;
                }
            }
        }
        return located.Sum(item => item.Box.Area / (double)(scene.Width * scene.Height));
    }

    /// <summary>
    /// Paper Figure 3b measured: each object's own phrase ("a red circle", "a dog") given to a holistic captioner as
    /// its whole caption (teacher-forced), and the maps of the phrase's log-likelihood scored against that object's
    /// box, as for captions (pointing, inside over outside), on held-out scenes. Objects that are not the scene's
    /// leftmost also count how often the peak lies on the leftmost object instead
    /// (<see cref="LocalisationScore.PeakOnLeftmost"/>): captions are read left to right, so a lone phrase may look
    /// like the start of one.
    /// </summary>
    /// <param name="model">A captioner.</param>
    /// <param name="world">The world it was trained on.</param>
    /// <param name="scenes">How many held-out scenes.</param>
    /// <param name="seed">Their seed; the model's training seeds are refused.</param>
    /// <param name="methods">The methods to score (default <see cref="DefaultMethods"/>).</param>
    /// <param name="progress">Receives a line every 50 scenes.</param>
    /// <param name="withEnd">Explain the phrase as a whole caption, the end's log-probability included, instead of
    /// its words alone.</param>
    /// <param name="cancellation">Stops between scenes.</param>
    /// <exception cref="UsageException">A training seed, a world the model was not trained on, a bad count.</exception>
    /// <example>
    /// <code>
    /// using Captioner captioner = VisionLanguageCatalog.LoadCaptioner("shapes-captioner");
    /// VisionLanguageReport report = VisionLanguageEvaluator.EvaluateDenseCaptions(captioner, world, 200, 1000,
    ///     [KnownMethods.GradCam]);
    /// double? leftBias = report.Localisation[0].PeakOnLeftmost;
    /// </code>
    /// </example>
    public static VisionLanguageReport EvaluateDenseCaptions(Captioner model, ISceneWorld world, int scenes, int seed,
        IReadOnlyList<string>? methods = null, IProgress<string>? progress = null, bool withEnd = false,
        CancellationToken cancellation = default)
    {
        methods = Checked(model, world, scenes, seed, methods);
        var report = new VisionLanguageReport
        {
            Model = model.Name, Task = DenseCaption, World = world.Name, Scenes = scenes, Seed = seed,
            PhraseEnd = withEnd,
        };
        ScoreScenes(model, world, scenes, seed, methods, report,
            (scene, _) => Phrases(model, scene, report, withEnd), progress, cancellation);
        return report;
    }

    /// <summary>The task name of <see cref="EvaluateDenseCaptions"/>'s reports.</summary>
    public const string DenseCaption = "dense-caption";

    /// <summary>The task name of <see cref="EvaluateSegmenter"/>'s reports.</summary>
    public const string Segment = "segment";

    /// <summary>
    /// Measures a shape-world segmenter (its classes the background and the 25 colour-and-shape pairs:
    /// <see cref="SceneModels.SceneModelTrainer"/>) on held-out scenes: pixel accuracy and mean IoU against the exact
    /// masks, and for each method, each class present in a scene explained over the pixels the model assigns to it
    /// (<see cref="SegmentationTarget"/>), how often the map's peak lies inside the class's true pixels, the share of
    /// its mass there, and its mean there over its mean elsewhere.
    /// </summary>
    /// <param name="model">A loaded segmenter (<c>shapes-segmenter</c> or one trained so).</param>
    /// <param name="scenes">How many held-out scenes.</param>
    /// <param name="seed">Their seed; the shipped models' training seeds (1 and 2) are refused.</param>
    /// <param name="methods">The methods (default <see cref="ClassifierMethods"/>), each at its automatic layer.
    /// </param>
    /// <param name="progress">Receives a line every 50 scenes.</param>
    /// <param name="cancellation">Stops between scenes.</param>
    /// <exception cref="UsageException">Not a shape-world segmenter, a training seed, a bad count.</exception>
    public static VisionLanguageReport EvaluateSegmenter(LoadedModel model, int scenes, int seed,
        IReadOnlyList<string>? methods = null, IProgress<string>? progress = null,
        CancellationToken cancellation = default)
    {
        IReadOnlyList<string> classes = SceneModels.SceneModelTrainer.SegmenterClasses;
        methods = CheckedSceneModel(model, classes, "segmenter", scenes, seed, methods);
        using var world = new ShapeWorld();
        VisionLanguageReport report = SceneReport(model, Segment, world, scenes, seed);
        var pixels = new Tally();
        report.Accuracy["pixel"] = pixels;
        var scores = new Dictionary<(string Method, string Layer), LocalisationScore>();
        using Tensor confusion = zeros(classes.Count, classes.Count, ScalarType.Int64);
        double coverage = 0;
        int targets = 0;
        for (int i = 0; i < scenes; i++)
        {
            cancellation.ThrowIfCancellationRequested();
            using Scene scene = world.Generate(seed, i);
            using var scope = NewDisposeScope();
            Tensor input = ImagePreprocessor.Prepare(scene.Image, model.Preprocessing).ToTensor();
            byte[] truth = SceneModels.SceneModelTrainer.PixelLabels(scene);
            using (no_grad())
            using (model.Model.BeginExplanation())
            {
                Tensor predicted = model.Model.Forward(input, ForwardTaps.None)[0].argmax(0).flatten();
                Tensor expected = tensor(truth).to(ScalarType.Int64);
                confusion.add_(SceneModels.SceneModelTrainer.Confusion(expected, predicted));
                pixels.Total += truth.Length;
                pixels.Right += (int)predicted.eq(expected).sum().item<long>();
            }
            // Every class present explained in one pass: one forward, one backward per class.
            int[] present = [.. truth.Where(c => c > 0).Distinct().Select(c => (int)c)];
            IReadOnlyList<Explanation> explained = present.Length == 0 ? []
                : KnownMethods.CreateSet(methods, model.Model).Explain(input,
                    [[.. present.Select(c => (ITarget)new SegmentationTarget(c))]]);
            int perClass = present.Length == 0 ? 0 : explained.Count / present.Length;
            for (int k = 0; k < present.Length; k++)
            {
                bool[] mask = [.. truth.Select(c => c == present[k])];
                bool Inside(int x, int y) => mask[y * scene.Width + x];
                coverage += mask.Count(m => m) / (double)mask.Length;
                targets++;
                foreach (Explanation explanation in explained.Skip(k * perClass).Take(perClass))
                {
                    Heatmap map = AtSceneSize(explanation.Heatmap, scene);
                    (int peakX, int peakY) = map.Peak;
                    ScoreOf(scores, explanation.Method, explanation.Layer).Count(map, Inside, Inside(peakX, peakY));
                }
            }
            if ((i + 1) % 50 == 0 || i + 1 == scenes) progress?.Report($"{i + 1}/{scenes} scenes");
        }
        report.MeanIoU = SceneModels.SceneModelTrainer.MeanIoU(confusion);
        report.Localisation.AddRange(scores.Values);
        report.ChancePointing = targets == 0 ? 0 : coverage / targets;
        return report;
    }

    private static Heatmap AtSceneSize(Heatmap map, Scene scene) =>
        map.Width == scene.Width && map.Height == scene.Height ? map : map.Resize(scene.Width, scene.Height);

    private static LocalisationScore ScoreOf(Dictionary<(string Method, string Layer), LocalisationScore> scores,
        string method, string layer)
    {
        if (!scores.TryGetValue((method, layer), out LocalisationScore? score))
            scores[(method, layer)] = score = new LocalisationScore { Method = method, Layer = layer };
        return score;
    }

    private static VisionLanguageReport SceneReport(LoadedModel model, string task, ISceneWorld world, int scenes,
        int seed) => new() { Model = model.Name, Task = task, World = world.Name, Scenes = scenes, Seed = seed };

    /// <summary>Refuses a model of other classes, a training seed and a bad count; checks the methods.</summary>
    private static IReadOnlyList<string> CheckedSceneModel(LoadedModel model, IReadOnlyList<string> classes,
        string kind, int scenes, int seed, IReadOnlyList<string>? methods, string world = "shape-world")
    {
        ArgumentNullException.ThrowIfNull(model);
        if (model.Labels is not { } labels || !labels.SequenceEqual(classes))
        {
            throw new UsageException($"{model.Name} is not a {world} {kind}: its classes must be " +
                $"{string.Join(", ", classes.Take(3))}{(classes.Count > 3 ? ", ..." : "")} ({classes.Count}; pass " +
                "--labels with them, one a line)");
        }
        if (seed is 1 or 2) throw new UsageException($"seed {seed} trained the shipped scene models; choose another");
        if (scenes < 1) throw new UsageException($"--scenes must be at least 1, got {scenes}");
        methods ??= ClassifierMethods;
        _ = KnownMethods.Expand(methods);
        return methods;
    }

    /// <summary>The task name of <see cref="EvaluateClassifier"/>'s reports.</summary>
    public const string Classify = "classify";

    /// <summary>The methods a classifier is measured with unless others are asked for.</summary>
    public static IReadOnlyList<string> ClassifierMethods { get; } = [KnownMethods.GradCam, "layercam"];

    /// <summary>
    /// Measures a shape-world classifier (its classes the 25 colour-and-shape pairs, several per scene:
    /// <see cref="SceneModels.SceneModelTrainer"/>) on held-out scenes: the share of scenes whose label set it
    /// gets exactly right (logits above zero), and for each method the pointing game and the mean map inside the
    /// object's box over the mean outside, for every object of every scene, its own pair as the target (a pair
    /// that two objects share is found at either).
    /// </summary>
    /// <param name="model">A loaded classifier (<c>shapes-vit</c>, <c>shapes-cnn</c> or one trained so).</param>
    /// <param name="scenes">How many held-out scenes.</param>
    /// <param name="seed">Their seed; the shipped models' training seeds (1 and 2) are refused.</param>
    /// <param name="methods">The methods (default <see cref="ClassifierMethods"/>).</param>
    /// <param name="layers">The layers each method is measured at (default each method's automatic one): names,
    /// module paths (<c>blocks.3.norm1</c>) or <c>auto</c>.</param>
    /// <param name="progress">Receives a line every 50 scenes.</param>
    /// <param name="cancellation">Stops between scenes.</param>
    /// <exception cref="UsageException">Not a shape-world classifier, a training seed, a bad count.</exception>
    /// <example>
    /// <code>
    /// using LoadedModel vit = ModelCatalog.Load("shapes-vit", new ModelLoadOptions());
    /// VisionLanguageReport report = VisionLanguageEvaluator.EvaluateClassifier(vit, 500, 1000,
    ///     ["gradcam", "attention-relevance"]);
    /// </code>
    /// </example>
    public static VisionLanguageReport EvaluateClassifier(LoadedModel model, int scenes, int seed,
        IReadOnlyList<string>? methods = null, IReadOnlyList<string>? layers = null,
        IProgress<string>? progress = null, CancellationToken cancellation = default)
    {
        IReadOnlyList<string> classes = SceneModels.SceneModelTrainer.Classes;
        methods = CheckedSceneModel(model, classes, "classifier", scenes, seed, methods);
        using var world = new ShapeWorld();
        VisionLanguageReport report = SceneReport(model, Classify, world, scenes, seed);
        var exact = new Tally();
        report.Accuracy["label set"] = exact;
        ScoreScenes(scene => ImagePreprocessor.Prepare(scene.Image, model.Preprocessing).ToTensor(),
            layers is { Count: > 0 } ? layers : [ModelLayers.Auto], model.Model, world, scenes, seed, methods, report,
            (scene, input) =>
            {
                float[] truth = SceneModels.SceneModelTrainer.Labels(scene);
                using (no_grad())
                using (model.Model.BeginExplanation())
                {
                    Tensor logits = model.Model.Forward(input, ForwardTaps.None);
                    float[] predicted = logits[0].data<float>().ToArray();
                    exact.Total++;
                    if (predicted.Select(v => v > 0).SequenceEqual(truth.Select(v => v > 0.5f))) exact.Right++;
                }
                return [.. scene.Objects.Select(shape => new Located(
                    new ClassTarget(SceneModels.SceneModelTrainer.ClassIndex(shape.Name)), model.Model, shape.Box,
                    scene.Objects.Count == 1 ? "alone" : "among others")
                {
                    Named = [.. scene.Objects.Where(o => o.Name == shape.Name).Select(o => o.Box)],
                    Others = [.. scene.Objects.Where(o => o.Name != shape.Name).Select(o => o.Box)],
                })];
            }, progress, cancellation);
        return report;
    }

    /// <summary>A target per object: its phrase as the whole caption, with where it is among the objects.</summary>
    private static List<Located> Phrases(Captioner model, Scene scene, VisionLanguageReport report, bool withEnd)
    {
        var located = new List<Located>();
        int leftmost = SceneLanguage.LeftToRight(scene.Objects)[0];
        for (int k = 0; k < scene.Objects.Count; k++)
        {
            string phrase = SceneLanguage.Phrase(scene.Objects[k]);
            int[] words;
            try
            {
                words = model.EncodeCaption(phrase);
            }
            catch (UsageException)
            {
                report.Skipped++;
                continue;
            }
            // An object whose phrase also names another object is found at either.
            Box[] named = [.. scene.Objects.Where(o => SceneLanguage.Phrase(o) == phrase).Select(o => o.Box)];
            string kind = scene.Objects.Count == 1 ? "only object" : k == leftmost ? "leftmost" : "not leftmost";
            ITarget target = withEnd ? VisionLanguageTargets.Caption(words) : VisionLanguageTargets.Phrase(words);
            located.Add(new Located(target, model.ForCaption(words),
                scene.Objects[k].Box, kind)
            {
                Named = named,
                Others = [.. scene.Objects.Select(o => o.Box).Where(b => !named.Contains(b))],
                Leftmost = kind == "not leftmost" && !named.Contains(scene.Objects[leftmost].Box)
                    ? scene.Objects[leftmost].Box : null,
            });
        }
        return located;
    }

    /// <summary>A target whose map should find <paramref name="Box"/>, and the model that scores it.</summary>
    private sealed record Located(ITarget Target, IExplainableModel Model, Box Box, string Kind)
    {
        /// <summary>Where a peak counts as a hit: the object's box, or every box its words name.</summary>
        public IReadOnlyList<Box> Named { get; init; } = [Box];

        /// <summary>The boxes of the scene's other objects (dense captioning).</summary>
        public IReadOnlyList<Box> Others { get; init; } = [];

        /// <summary>The scene's leftmost object, when this one is another.</summary>
        public Box? Leftmost { get; init; }
    }
}
