using GradCamSharp.Maps;
using GradCamSharp.Methods;
using GradCamSharp.Pipeline;
using GradCamSharp.Scenes;
using GradCamSharp.VisionLanguage.Evaluation;

namespace GradCamSharp.VisionLanguage.Tests;

/// <summary>
/// The paper's Figure 3b: each object's phrase read on its own by the holistic captioner, its map scored against the
/// object's box; the evaluation's counts must be those of the figure's command, phrase by phrase.
/// </summary>
public sealed class DenseCaptionTests
{
    private const int Seed = 4242;

    [Fact]
    public void EvaluateDenseCaptions_CountsExactlyTheHitsOfEachPhrasesOwnMap()
    {
        using Captioner model = VisionLanguageCatalog.LoadCaptioner(VisionLanguageCatalog.ShapesCaptioner);
        using ISceneWorld world = SceneWorlds.Create(SceneWorlds.Shapes, Path.Combine(SharedFixtures.Samples,
            "boxes.json"), SharedFixtures.Samples);
        const int scenes = 4;

        VisionLanguageReport report = VisionLanguageEvaluator.EvaluateDenseCaptions(model, world, scenes, Seed,
            [KnownMethods.GradCam]);

        int objects = 0, hits = 0, notLeftmost = 0, onLeftmost = 0;
        var settings = new ExplanationSettings { Methods = [KnownMethods.GradCam] };
        for (int i = 0; i < scenes; i++)
        {
            using Scene scene = world.Generate(Seed, i);
            DescribedBox[] phrases = [.. scene.Objects.Select(o => new DescribedBox(SceneLanguage.Phrase(o), o.Box))];
            using ExplainedPhrases explained = VisionLanguageExplainer.Phrases(model, settings, scene.Image, "scene",
                phrases);
            int leftmost = SceneLanguage.LeftToRight(scene.Objects)[0];
            for (int k = 0; k < phrases.Length; k++)
            {
                int[] peak = explained.Phrases[k].Rendered.Maps[0].Peak;
                bool InBox(Box box) => ((Area)box).ContainsPixel(peak[0], peak[1]);
                Box[] named = [.. scene.Objects.Where(o => SceneLanguage.Phrase(o) == phrases[k].Phrase)
                    .Select(o => o.Box)];
                bool hit = named.Any(InBox);
                objects++;
                if (hit) hits++;
                if (scene.Objects.Count > 1 && k != leftmost && !named.Contains(scene.Objects[leftmost].Box))
                {
                    notLeftmost++;
                    if (!hit && InBox(scene.Objects[leftmost].Box)) onLeftmost++;
                }
            }
        }
        LocalisationScore score = Assert.Single(report.Localisation);
        Assert.Equal(VisionLanguageEvaluator.DenseCaption, report.Task);
        Assert.Equal((objects, hits), (score.Targets, score.Hits));
        Assert.Equal(notLeftmost, score.NotLeftmost);
        Assert.Equal(notLeftmost == 0 ? null : onLeftmost / (double)notLeftmost, score.PeakOnLeftmost);
        Assert.Equal(objects, score.PointingByKind.Values.Sum(t => t.Total));
        Assert.InRange(report.ChancePointing, 0.001, 0.999);
    }

    [Fact]
    public void Phrases_ThePanelHasTheBoxesThenAMapPerPhrase_AndABoxOutsideThePhotoIsRefused()
    {
        using Captioner model = VisionLanguageCatalog.LoadCaptioner(VisionLanguageCatalog.ShapesCaptioner);
        using ISceneWorld world = SceneWorlds.Create(SceneWorlds.Shapes, Path.Combine(SharedFixtures.Samples,
            "boxes.json"), SharedFixtures.Samples);
        using Scene scene = world.Generate(Seed, 0);
        var settings = new ExplanationSettings { Methods = [KnownMethods.GradCam] };
        DescribedBox[] phrases = [new("a red circle", new Box(0, 0, 10, 10)), new("a blue star")];

        using ExplainedPhrases explained = VisionLanguageExplainer.Phrases(model, settings, scene.Image, "s", phrases);

        Assert.Equal(["a red circle", "a blue star"], explained.Phrases.Select(p => p.Phrase));
        Assert.NotNull(explained.Phrases[0].PeakInBox);
        Assert.Null(explained.Phrases[1].PeakInBox);
        // Each phrase is its words' log-probability without the end: negative, and finite.
        Assert.All(explained.Phrases, p => Assert.InRange(p.Rendered.Maps[0].Explanation.Score, -100f, 0f));
        Assert.True(explained.Panel.Width > 2 * explained.Panel.Height, $"panel {explained.Panel.Width}x" +
            $"{explained.Panel.Height}: three tiles side by side");
        Box outside = new(0, 0, scene.Width + 1, 10);
        Assert.Throws<UsageException>(() => VisionLanguageExplainer.Phrases(model, settings, scene.Image, "s",
            [new DescribedBox("a red circle", outside)]));
        Assert.Throws<UsageException>(() => VisionLanguageExplainer.Phrases(model, settings, scene.Image, "s", []));
        foreach (Box empty in new[] { new Box(20, 20, 10, 30), new Box(-5, 0, 10, 10), new Box(4, 4, 4, 9) })
        {
            Assert.Throws<UsageException>(() => VisionLanguageExplainer.Phrases(model, settings, scene.Image, "s",
                [new DescribedBox("a red circle", empty)]));
        }
    }
}
