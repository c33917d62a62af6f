using CsCheck;
using GradCamSharp.Maps;

namespace GradCamSharp.Evaluation.Tests;

/// <summary>The 15%-of-max box, checked on random maps of random sizes.</summary>
public sealed class LocalizationPropertyTests
{
    private static readonly Gen<Heatmap> Maps = Gen.Select(Gen.Int[1, 48], Gen.Int[1, 48])
        .SelectMany((width, height) => Gen.Float[0, 1].Array[width * height]
            .Select(values => new Heatmap(width, height, values)));

    [Fact]
    public void BoundingBox_AnyMap_LiesInsideTheImageAndCoversAboveThresholdPixels()
    {
        Maps.Sample(map =>
        {
            Box? found = Localization.BoundingBox(map);
            if (map.Max <= 0)
            {
                Assert.Null(found);
                return;
            }
            Box box = Assert.NotNull(found);
            Assert.InRange(box.X0, 0, map.Width - 1);
            Assert.InRange(box.Y0, 0, map.Height - 1);
            Assert.InRange(box.X1, box.X0 + 1, map.Width);
            Assert.InRange(box.Y1, box.Y0 + 1, map.Height);
            // Its region is above the threshold: so is at least one pixel on each of its edges.
            float cut = Localization.PaperThreshold * map.Max;
            Assert.Contains(Enumerable.Range(box.Y0, box.Height), y => map[box.X0, y] >= cut);
            Assert.Contains(Enumerable.Range(box.Y0, box.Height), y => map[box.X1 - 1, y] >= cut);
            Assert.Contains(Enumerable.Range(box.X0, box.Width), x => map[x, box.Y0] >= cut);
            Assert.Contains(Enumerable.Range(box.X0, box.Width), x => map[x, box.Y1 - 1] >= cut);
        }, iter: 300);
    }

    [Fact]
    public void BoundingBox_MapWithOneRegion_ContainsItsPeak()
    {
        Gen.Select(Gen.Int[2, 64], Gen.Int[2, 64]).SelectMany((w, h) =>
                Gen.Select(Gen.Int[0, w - 1], Gen.Int[0, h - 1], Gen.Float[0.5f, 8f],
                    (x, y, sigma) => (w, h, x, y, sigma)))
            .Sample(c =>
            {
                // A single Gaussian blob: one connected region above 15%, which must hold the maximum.
                var values = new float[c.w * c.h];
                for (int y = 0; y < c.h; y++)
                {
                    for (int x = 0; x < c.w; x++)
                    {
                        float d2 = (x - c.x) * (x - c.x) + (y - c.y) * (y - c.y);
                        values[y * c.w + x] = MathF.Exp(-d2 / (2 * c.sigma * c.sigma));
                    }
                }
                var map = new Heatmap(c.w, c.h, values);
                Box box = Assert.NotNull(Localization.BoundingBox(map));
                (int peakX, int peakY) = map.Peak;
                Assert.True(box.Contains(peakX, peakY));
            }, iter: 200);
    }

    [Fact]
    public void AreaOfABox_HoldsExactlyTheBoxsPixels_SoEveryTaskScoresBoxesAlike()
    {
        Gen.Select(Gen.Int[-20, 60], Gen.Int[-20, 60], Gen.Int[0, 40], Gen.Int[0, 40], Gen.Int[0, 15]).Sample(
            (x0, y0, width, height, tolerance) =>
            {
                var box = new Box(x0, y0, x0 + width, y0 + height);
                var widened = new Box(x0 - tolerance, y0 - tolerance, x0 + width + tolerance,
                    y0 + height + tolerance);
                Area area = ((Area)box).Widened(tolerance, tolerance);
                for (int y = -40; y < 100; y += 3)
                {
                    for (int x = -40; x < 100; x += 3) Assert.Equal(widened.Contains(x, y), area.ContainsPixel(x, y));
                }
            });
    }

    [Fact]
    public void Means_AndShare_AgreeWithTheirDefinitions_OnAnyMap()
    {
        Maps.Sample(map =>
        {
            var box = new Box(map.Width / 4, map.Height / 4, map.Width / 2 + 1, map.Height / 2 + 1);
            double inside = 0, outside = 0, total = 0;
            int insideCount = 0, outsideCount = 0;
            for (int y = 0; y < map.Height; y++)
            {
                for (int x = 0; x < map.Width; x++)
                {
                    total += map[x, y];
                    if (box.Contains(x, y)) { inside += map[x, y]; insideCount++; }
                    else { outside += map[x, y]; outsideCount++; }
                }
            }
            (double meanInside, double meanOutside) = MapRegions.Means(map, box);
            Assert.Equal(insideCount == 0 ? 0 : inside / insideCount, meanInside, 9);
            Assert.Equal(outsideCount == 0 ? 0 : outside / outsideCount, meanOutside, 9);
            Assert.Equal(total > 0 ? inside / total : 0, MapRegions.Share(map, box), 9);
        });
    }

    [Fact]
    public void Means_AndShare_OverIndices_MeasureAVolumeByHand()
    {
        // Eight voxels, the region the first and the last: the share counts the non-negative mass only.
        float[] voxels = [1, -2, 3, 0, 0, 0, 0, 4];
        bool Region(int voxel) => voxel is 0 or 7;
        Assert.Equal((1 + 4) / 8.0, MapRegions.Share(voxels, Region), 12);
        (double inside, double outside) = MapRegions.Means(voxels, Region);
        Assert.Equal(2.5, inside, 12);
        Assert.Equal(1 / 6.0, outside, 12);
        Assert.Equal(0, MapRegions.Share(new float[3], Region));
        Assert.Equal((0.0, 0.0), MapRegions.Means([], Region));
    }
}
