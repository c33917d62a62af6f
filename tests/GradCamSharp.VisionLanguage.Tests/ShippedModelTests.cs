using GradCamSharp.Methods;
using GradCamSharp.Scenes;
using GradCamSharp.VisionLanguage.Evaluation;

namespace GradCamSharp.VisionLanguage.Tests;

/// <summary>
/// The shipped models keep the README's numbers on 200 held-out scenes of a seed used nowhere else (the README's
/// table uses 500 scenes of seed 1000; training used seeds 1 and 2).
/// </summary>
public sealed class ShippedModelTests
{
    private const int Scenes = 200;
    private const int Seed = 2024;

    private static VisionLanguageReport Evaluate(string name, string world)
    {
        using VisionLanguageModel model = VisionLanguageCatalog.Load(name);
        using ISceneWorld scenes = SceneWorlds.Create(world, Path.Combine(SharedFixtures.Samples, "boxes.json"),
            SharedFixtures.Samples);
        return VisionLanguageEvaluator.Evaluate(model, scenes, Scenes, Seed,
            [KnownMethods.GradCam, KnownMethods.GuidedGradCam]);
    }

    private static LocalisationScore Score(VisionLanguageReport report, string method, string layer) =>
        report.Localisation.Single(s => s.Method == method && s.Layer == layer);

    [Fact]
    public void ShapesVqa_AnswersNineInTen_AndItsMapsFavourTheObjectTheAnswerIsAbout()
    {
        VisionLanguageReport report = Evaluate(VisionLanguageCatalog.ShapesVqa, SceneWorlds.Shapes);

        Assert.True(report.OverallAccuracy >= 0.90, $"accuracy {report.OverallAccuracy:0.000}");
        // Measured on 500 scenes of seed 1000 (README): Grad-CAM pointing 0.862 and in/out 39.4 at the encoder, 0.914
        // at the gated layer (the stacked-attention head it replaced: 0.51 and 17.8).
        LocalisationScore gradCam = Score(report, KnownMethods.GradCam, ShapeEncoder.OutputLayer);
        Assert.True(gradCam.Ratio > 3 * 3.27, $"Grad-CAM inside/outside {gradCam.Ratio:0.00}");
        Assert.True(gradCam.Pointing >= 0.82, $"Grad-CAM pointing {gradCam.Pointing:0.000}");
        Assert.True(gradCam.PointingByKind["color"].Rate >= 0.85, "Grad-CAM pointing for colour answers");
        LocalisationScore gated = Score(report, KnownMethods.GradCam, "head.gated");
        Assert.True(gated.Pointing >= 0.87, $"Grad-CAM pointing at the gated layer {gated.Pointing:0.000}");
        LocalisationScore guided = Score(report, KnownMethods.GuidedGradCam, ShapeEncoder.OutputLayer);
        Assert.True(guided.Pointing >= 0.88, $"Guided Grad-CAM pointing {guided.Pointing:0.000}");
        Assert.True(gradCam.Targets > Scenes);
    }

    [Fact]
    public void ShapesCaptioner_WordsThatNameAnObject_AreInsideItsBoxWellAboveThePapersRatio()
    {
        VisionLanguageReport report = Evaluate(VisionLanguageCatalog.ShapesCaptioner, SceneWorlds.Shapes);

        // Measured on 500 scenes of seed 1000 (README): Grad-CAM pointing 0.904 and in/out 63.9, Guided Grad-CAM 0.940
        // (the stacked-attention captioner it replaced: 0.503 and 6.04); on this sample 0.904, 63.7 and 0.953, with
        // colour words at 0.87, BLEU-4 0.777 and exact match 0.585.
        LocalisationScore gradCam = Score(report, KnownMethods.GradCam, ShapeEncoder.OutputLayer);
        Assert.True(gradCam.Ratio > 3 * 3.27, $"Grad-CAM inside/outside {gradCam.Ratio:0.00}");
        Assert.True(gradCam.Pointing >= 0.86, $"Grad-CAM pointing {gradCam.Pointing:0.000}");
        Assert.True(gradCam.PointingByKind["color"].Rate >= 0.84, "Grad-CAM pointing for colour words");
        LocalisationScore guided = Score(report, KnownMethods.GuidedGradCam, ShapeEncoder.OutputLayer);
        Assert.True(guided.Pointing >= 0.90, $"Guided Grad-CAM pointing {guided.Pointing:0.000}");
        Assert.True(report.Bleu4 > 0.74, $"BLEU-4 {report.Bleu4:0.000}");
        Assert.True(report.ExactMatch > 0.57, $"exact match {report.ExactMatch:0.000}");
    }

    [Fact]
    public void PhotoModels_OverTheFrozenResNet_AnswerAndDescribeBetterThanChance()
    {
        using VisionLanguageModel vqa = VisionLanguageCatalog.Load(VisionLanguageCatalog.PhotosVqa);
        using VisionLanguageModel captioner = VisionLanguageCatalog.Load(VisionLanguageCatalog.PhotosCaptioner);
        using ISceneWorld world = SceneWorlds.Create(SceneWorlds.Photos,
            Path.Combine(SharedFixtures.Samples, "boxes.json"), SharedFixtures.Samples);

        VisionLanguageReport answers = VisionLanguageEvaluator.Evaluate(vqa, world, 30, Seed, [KnownMethods.GradCam]);
        VisionLanguageReport captions =
            VisionLanguageEvaluator.Evaluate(captioner, world, 30, Seed, [KnownMethods.GradCam]);

        // Yes and no are a third of the questions each at most; a guess among the labels is right one time in 12.
        Assert.True(answers.OverallAccuracy > 0.5, $"accuracy {answers.OverallAccuracy:0.000}");
        Assert.True(captions.Bleu4 > 0.2, $"BLEU-4 {captions.Bleu4:0.000}");
        Assert.Equal(VisionLanguageModel.ResNetEncoderName, vqa.File.Encoder);
        Assert.All(captions.Localisation, s => Assert.True(s.Pointing > captions.ChancePointing));
    }
}
