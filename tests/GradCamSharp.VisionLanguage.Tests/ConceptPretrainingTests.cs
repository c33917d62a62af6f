using GradCamSharp.Scenes;
using TorchSharp;
using static TorchSharp.torch;

namespace GradCamSharp.VisionLanguage.Tests;

/// <summary>
/// Concept pretraining: targets that are the masks' share of each cell, and an encoder whose channel groups light up
/// where their concept is.
/// </summary>
public sealed class ConceptPretrainingTests
{
    [Fact]
    public void Coverage_CountsEveryVisiblePixelOnceByColourAndOnceByShape()
    {
        using var world = new ShapeWorld();
        List<Scene> scenes = [.. Enumerable.Range(0, 12).Select(i => world.Generate(5, i))];
        try
        {
            using DisposeScope scope = NewDisposeScope();
            const int cells = 16;
            int colours = ShapeWorld.ColorNames.Count, block = scenes[0].Width / cells;
            Tensor coverage = ConceptPretraining.Coverage(scenes, cells);
            Assert.Equal([12L, ConceptPretraining.Concepts.Count, cells, cells], coverage.shape);
            for (int n = 0; n < scenes.Count; n++)
            {
                float visible = scenes[n].Objects.Sum(o => o.Area);
                Tensor byColour = coverage[n].narrow(0, 0, colours).sum(dim: 0);
                Tensor byShape = coverage[n].narrow(0, colours, ShapeWorld.ShapeNames.Count).sum(dim: 0);
                // Visible masks never overlap, so no cell holds more than all of its pixels.
                Assert.Equal(visible, byColour.sum().item<float>() * block * block, 1);
                Assert.Equal(visible, byShape.sum().item<float>() * block * block, 1);
                Assert.True(byColour.max().item<float>() <= 1 + 1e-5);
                foreach (SceneObject item in scenes[n].Objects)
                {
                    int plane = ConceptPretraining.Concepts.ToList().IndexOf(item.Label);
                    (double x, double y) = item.Centre;
                    if (!item.Mask[(int)y * scenes[n].Width + (int)x]) continue;
                    Assert.True(coverage[n, plane, (int)y / block, (int)x / block].item<float>() > 0,
                        $"{item.Name} at its centre");
                }
            }
        }
        finally
        {
            foreach (Scene scene in scenes) scene.Dispose();
        }
    }

    [Fact]
    public void ShippedVqaEncoder_EachConceptsChannels_AreStrongerOnThatConceptThanElsewhere()
    {
        // The shipped VQA model's CNN was concept-pretrained, then trained on with the head: its channel groups still
        // answer to their concepts on scenes it never saw (seed 2024; training used 1 and 2).
        using var world = new ShapeWorld();
        List<Scene> scenes = [.. Enumerable.Range(0, 100).Select(i => world.Generate(2024, i))];
        using DisposeScope scope = NewDisposeScope();
        using VisionLanguageModel model = VisionLanguageCatalog.Load(VisionLanguageCatalog.ShapesVqa);
        Assert.True(model.File.Training.ConceptEpochs > 0);
        Tensor features = model.Features(model.Prepare(scenes.Select(s => s.Image)));
        Tensor coverage = ConceptPretraining.Coverage(scenes, 128 / ShapeEncoder.Stride);
        foreach (Scene scene in scenes) scene.Dispose();

        Assert.Equal(ShapeEncoder.ConceptChannels, features.shape[1]);
        int concepts = ConceptPretraining.Concepts.Count, group = ShapeEncoder.ConceptChannels / concepts;
        for (int c = 0; c < concepts; c++)
        {
            Tensor mean = features.narrow(1, c * group, group).mean([1]);
            Tensor on = coverage.select(1, c).gt(0.5);
            float inside = mean.masked_select(on).mean().item<float>();
            float outside = mean.masked_select(on.logical_not()).mean().item<float>();
            Assert.True(inside > 3 * outside, $"{ConceptPretraining.Concepts[c]}: {inside} on, {outside} elsewhere");
        }
    }
}
