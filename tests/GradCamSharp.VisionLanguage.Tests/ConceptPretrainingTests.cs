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
    public void PairedCoverage_IsTheSeparateCoverageSplitByPair()
    {
        using var world = new ShapeWorld();
        List<Scene> scenes = [.. Enumerable.Range(0, 12).Select(i => world.Generate(6, i))];
        try
        {
            using DisposeScope scope = NewDisposeScope();
            const int cells = 16;
            Tensor separate = ConceptPretraining.Coverage(scenes, cells);
            Tensor paired = ConceptPretraining.Coverage(scenes, cells, VisionLanguageRecipe.PairedConcepts);
            IReadOnlyList<string> pairs = ConceptPretraining.PairedConcepts;
            Assert.Equal([12L, pairs.Count, cells, cells], paired.shape);
            Assert.Equal(25, pairs.Count);
            // Summed over the shapes, the pairs give each colour's coverage; over the colours, each shape's.
            for (int c = 0; c < ConceptPretraining.Concepts.Count; c++)
            {
                string concept = ConceptPretraining.Concepts[c];
                long[] planes = [.. pairs.Select((pair, i) => (pair, i))
                    .Where(p => p.pair.Split(' ').Contains(concept)).Select(p => (long)p.i)];
                Assert.Equal(5, planes.Length);
                Tensor summed = paired.index_select(1, tensor(planes)).sum(dim: 1);
                Assert.True(summed.allclose(separate.select(1, c), atol: 1e-5), concept);
            }
            foreach ((Scene scene, int n) in scenes.Select((s, n) => (s, n)))
            {
                foreach (SceneObject item in scene.Objects)
                {
                    int plane = pairs.ToList().IndexOf($"{item.Color} {item.Label}");
                    float covered = paired[n, plane].sum().item<float>() * (128 / cells) * (128 / cells);
                    // Two objects may share a pair; together they cover what their masks do.
                    float same = scene.Objects.Where(o => o.Color == item.Color && o.Label == item.Label)
                        .Sum(o => o.Area);
                    Assert.Equal(same, covered, 1);
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
        // The shipped VQA model's CNN was concept-pretrained (and then frozen): its channel groups answer to their
        // concepts on scenes it never saw (seed 2024; training used 1 and 2).
        using var world = new ShapeWorld();
        List<Scene> scenes = [.. Enumerable.Range(0, 100).Select(i => world.Generate(2024, i))];
        using DisposeScope scope = NewDisposeScope();
        using VisionLanguageModel model = VisionLanguageCatalog.Load(VisionLanguageCatalog.ShapesVqa);
        Assert.True(model.File.Training.ConceptEpochs > 0);
        Tensor features = model.Features(model.Prepare(scenes.Select(s => s.Image)));
        string kind = model.File.Training.Concepts;
        Tensor coverage = ConceptPretraining.Coverage(scenes, 128 / ShapeEncoder.Stride, kind);
        foreach (Scene scene in scenes) scene.Dispose();

        IReadOnlyList<string> names = ConceptPretraining.ConceptsFor(kind);
        int channels = ShapeEncoder.ChannelsFor(model.File.Training), group = channels / names.Count;
        Assert.Equal(channels, features.shape[1]);
        for (int c = 0; c < names.Count; c++)
        {
            Tensor mean = features.narrow(1, c * group, group).mean([1]);
            Tensor on = coverage.select(1, c).gt(0.5);
            float inside = mean.masked_select(on).mean().item<float>();
            float outside = mean.masked_select(on.logical_not()).mean().item<float>();
            Assert.True(inside > 3 * outside, $"{names[c]}: {inside} on, {outside} elsewhere");
        }
    }
}
