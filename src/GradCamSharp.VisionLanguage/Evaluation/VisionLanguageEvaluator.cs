using GradCamSharp.Evaluation;
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
public static class VisionLanguageEvaluator
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
        IProgress<string>? progress, CancellationToken cancellation)
    {
        var scores = new Dictionary<(string Method, string Layer), LocalisationScore>();
        int boxes = 0;
        double coverage = 0;
        for (int i = 0; i < scenes; i++)
        {
            cancellation.ThrowIfCancellationRequested();
            using Scene scene = world.Generate(seed, i);
            using var scope = NewDisposeScope();
            Tensor input = model.Prepare([scene.Image]);
            List<Located> located = locate(scene, input);
            coverage += Score(scores, located, input, scene, model.ExplainedLayers, methods);
            boxes += located.Count;
            foreach (IExplainableModel explained in located.Select(l => l.Model).Distinct()) explained.Dispose();
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
                    Heatmap map = explanation.Heatmap.Width == scene.Width && explanation.Heatmap.Height ==
                        scene.Height ? explanation.Heatmap : explanation.Heatmap.Resize(scene.Width, scene.Height);
                    if (!scores.TryGetValue((explanation.Method, layer), out LocalisationScore? score))
                    {
                        score = new LocalisationScore { Method = explanation.Method, Layer = layer };
                        scores[(explanation.Method, layer)] = score;
                    }
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
