using GradCamSharp.Scenes;
using SkiaSharp;

namespace GradCamSharp.VisionLanguage.Tests;

/// <summary>The worlds' ground truth: the same scene for the same seed, masks that are the objects' pixels.</summary>
public sealed class SceneWorldTests
{
    [Theory]
    [InlineData(3, 0)]
    [InlineData(77, 41)]
    public void ShapeWorld_SameSeedAndIndex_GivesTheSameScene(int seed, int index)
    {
        using var world = new ShapeWorld();
        using Scene first = world.Generate(seed, index);
        using Scene second = world.Generate(seed, index);
        using Scene other = world.Generate(seed + 1, index);

        Assert.Equal(first.Image.GetPixelSpan().ToArray(), second.Image.GetPixelSpan().ToArray());
        Assert.Equal(first.Captions, second.Captions);
        Assert.Equal(first.Questions, second.Questions);
        Assert.Equal(first.Objects.Select(o => (o.Name, o.Box)), second.Objects.Select(o => (o.Name, o.Box)));
        Assert.NotEqual(first.Image.GetPixelSpan().ToArray(), other.Image.GetPixelSpan().ToArray());
    }

    [Fact]
    public void ShapeWorld_EveryMaskedPixel_HasItsObjectsColourAndTheBoxBoundsTheMask()
    {
        using var world = new ShapeWorld();
        for (int index = 0; index < 40; index++)
        {
            using Scene scene = world.Generate(11, index);
            Assert.InRange(scene.Objects.Count, 1, 4);
            foreach (SceneObject item in scene.Objects)
            {
                var colours = new HashSet<SKColor>();
                int x0 = int.MaxValue, y0 = int.MaxValue, x1 = -1, y1 = -1;
                for (int p = 0; p < item.Mask.Length; p++)
                {
                    if (!item.Mask[p]) continue;
                    int x = p % scene.Width, y = p / scene.Width;
                    colours.Add(scene.Image.GetPixel(x, y));
                    (x0, y0, x1, y1) = (Math.Min(x0, x), Math.Min(y0, y), Math.Max(x1, x + 1), Math.Max(y1, y + 1));
                }
                Assert.True(item.Area > 0, $"scene {index}: {item.Name} is invisible");
                Assert.Single(colours);
                Assert.Equal(item.Box, new Maps.Box(x0, y0, x1, y1));
            }
            // Masks do not overlap: nearer objects cut the farther ones' visible pixels.
            for (int p = 0; p < scene.Width * scene.Height; p++)
                Assert.True(scene.Objects.Count(o => o.Mask[p]) <= 1);
        }
    }

    [Theory]
    [InlineData(8)]
    [InlineData(16)]
    public void CellCoverage_SumsToTheObjectsArea_AndIsNonZeroOnlyInCellsItsBoxReaches(int cells)
    {
        using var world = new ShapeWorld();
        for (int index = 0; index < 10; index++)
        {
            using Scene scene = world.Generate(23, index);
            int block = scene.Width / cells;
            foreach (SceneObject item in scene.Objects)
            {
                float[] covered = item.CellCoverage(scene.Width, cells);
                Assert.Equal(item.Area / (double)(block * block), covered.Sum(), 3);
                for (int cell = 0; cell < covered.Length; cell++)
                {
                    int x = cell % cells * block, y = cell / cells * block;
                    bool reaches = x < item.Box.X1 && x + block > item.Box.X0
                        && y < item.Box.Y1 && y + block > item.Box.Y0;
                    Assert.InRange(covered[cell], 0f, reaches ? 1.0001f : 0f);
                }
            }
        }
        using Scene any = world.Generate(23, 0);
        Assert.Throws<ArgumentException>(() => any.Objects[0].CellCoverage(any.Width, any.Width / 2 + 1));
    }

    [Fact]
    public void ShapeWorld_QuestionsAndGrounding_FollowFromTheObjects()
    {
        using var world = new ShapeWorld();
        for (int index = 0; index < 40; index++)
        {
            using Scene scene = world.Generate(5, index);
            string[] words = scene.Captions[0].Split(' ');
            Assert.Equal(words.Length, scene.CaptionGrounding.Count);
            for (int t = 0; t < words.Length; t++)
            {
                if (scene.CaptionGrounding[t] is int o)
                    Assert.Contains(words[t], new[] { scene.Objects[o].Label, scene.Objects[o].Color });
            }
            foreach (SceneQuestion question in scene.Questions.Where(q => q.Type == QuestionTypes.Color))
            {
                SceneObject named = scene.Objects[question.ObjectIndex!.Value];
                Assert.EndsWith(named.Label, question.Question, StringComparison.Ordinal);
                Assert.Equal(named.Color, question.Answer);
            }
            foreach (SceneQuestion question in scene.Questions.Where(q => q.Type == QuestionTypes.Count))
            {
                int count = scene.Objects.Count(o => question.Question.Contains(ShapeWorld.Plural(o.Label),
                    StringComparison.Ordinal));
                Assert.Equal(Scenes.SceneLanguage.NumberWords[count], question.Answer);
            }
        }
    }

    [Fact]
    public void PhotoWorld_SameSeedAndIndex_GivesTheSameSceneWithBoxesInside()
    {
        using ISceneWorld world = SceneWorlds.Create(SceneWorlds.Photos,
            Path.Combine(SharedFixtures.Samples, "boxes.json"), SharedFixtures.Samples);
        for (int index = 0; index < 6; index++)
        {
            using Scene first = world.Generate(2, index);
            using Scene second = world.Generate(2, index);
            Assert.Equal(first.Image.GetPixelSpan().ToArray(), second.Image.GetPixelSpan().ToArray());
            Assert.Equal(first.Captions, second.Captions);
            foreach (SceneObject item in first.Objects)
            {
                Assert.True(item.Box.X0 >= 0 && item.Box.Y0 >= 0 && item.Box.X1 <= first.Width
                    && item.Box.Y1 <= first.Height);
                Assert.True(item.Area > 0);
            }
        }
    }
}
