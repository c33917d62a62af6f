using GradCamSharp.Maps;

namespace GradCamSharp.Tests;

public sealed class MapTests
{
    [Fact]
    public void Heatmap_Resize_KeepsConstantsAndCentres()
    {
        var map = new Heatmap(2, 1, [0f, 1f]);
        Heatmap wide = map.Resize(4, 1);
        // Half-pixel centres: the outer pixels clamp, the inner ones interpolate at 1/4 and 3/4.
        Assert.Equal([0f, 0.25f, 0.75f, 1f], wide.Values);
        Assert.All(new Heatmap(3, 3, Enumerable.Repeat(0.5f, 9).ToArray()).Resize(7, 5).Values,
            v => Assert.Equal(0.5f, v));
    }

    [Fact]
    public void Heatmap_PeakAndCrop()
    {
        var map = new Heatmap(3, 2, [0f, 1f, 2f, 5f, 4f, 3f]);
        Assert.Equal((0, 1), map.Peak);
        Assert.Equal([1f, 2f, 4f, 3f], map.Crop(1, 0, 2, 2).Values);
        Assert.Throws<ArgumentOutOfRangeException>(() => map.Crop(2, 0, 2, 2));
    }

    [Fact]
    public void Attribution_Saliency_IsTheLargestMagnitudeOverChannels_ScaledToOne()
    {
        // Two channels of a 2x1 image: pixel 0 has (-4, 1), pixel 1 has (2, -3).
        var attribution = new Attribution(2, 2, 1, [-4f, 2f, 1f, -3f]);
        Heatmap saliency = attribution.Saliency();
        Assert.Equal([1f, 0.75f], saliency.Values);
        Assert.Equal(-3f, attribution[1, 1, 0]);
        Assert.All(new Attribution(1, 2, 2, new float[4]).Saliency().Values, v => Assert.Equal(0f, v));
    }

    [Theory]
    [InlineData(1, 1, 2f)]
    [InlineData(5, 3, 1.5f)]
    [InlineData(37, 23, 6.7f)]
    [InlineData(224, 224, 6.72f)]
    public void Blur_IsTheSeparableGaussianWithRepeatedEdges(int width, int height, float sigma)
    {
        var random = new Random(width * 31 + height);
        var map = new Heatmap(width, height, [.. Enumerable.Range(0, width * height).Select(_ => random.NextSingle())]);

        Heatmap blurred = map.Blur(sigma);

        // The definition, one tap at a time: rows first, then columns, indices clamped at the edges.
        int radius = (int)Math.Ceiling(3 * sigma);
        double[] kernel =
            [.. Enumerable.Range(-radius, 2 * radius + 1).Select(i => Math.Exp(-i * i / (2.0 * sigma * sigma)))];
        double total = kernel.Sum();
        var rows = new double[width * height];
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
                for (int k = -radius; k <= radius; k++)
                    rows[y * width + x] += kernel[k + radius] / total * map[Math.Clamp(x + k, 0, width - 1), y];
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
            {
                double expected = 0;
                for (int k = -radius; k <= radius; k++)
                    expected += kernel[k + radius] / total * rows[Math.Clamp(y + k, 0, height - 1) * width + x];
                Assert.Equal(expected, blurred[x, y], 1e-5);
            }
        }
    }

    [Theory]
    [InlineData(7, 7, 224, 224)]
    [InlineData(224, 224, 768, 576)]
    [InlineData(5, 3, 2, 9)]
    public void Resize_IsBilinearWithHalfPixelCentres_AtEveryPixel(int width, int height, int toWidth, int toHeight)
    {
        var random = new Random(width + 7 * toWidth);
        var map = new Heatmap(width, height, [.. Enumerable.Range(0, width * height).Select(_ => random.NextSingle())]);

        Heatmap resized = map.Resize(toWidth, toHeight);

        // The definition: sample at ((i + 0.5) * scale - 0.5), clamped to the map, interpolating along x, then y.
        for (int y = 0; y < toHeight; y++)
        {
            double sy = Math.Max(0, (y + 0.5) * height / toHeight - 0.5);
            int y0 = Math.Min((int)sy, height - 1), y1 = Math.Min(y0 + 1, height - 1);
            for (int x = 0; x < toWidth; x++)
            {
                double sx = Math.Max(0, (x + 0.5) * width / toWidth - 0.5);
                int x0 = Math.Min((int)sx, width - 1), x1 = Math.Min(x0 + 1, width - 1);
                double upper = map[x0, y0] + (map[x1, y0] - map[x0, y0]) * (sx - x0);
                double lower = map[x0, y1] + (map[x1, y1] - map[x0, y1]) * (sx - x0);
                Assert.Equal(upper + (lower - upper) * (sy - y0), resized[x, y], 1e-5);
            }
        }
    }
}
