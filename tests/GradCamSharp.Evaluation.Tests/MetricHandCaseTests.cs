using GradCamSharp.Maps;

namespace GradCamSharp.Evaluation.Tests;

/// <summary>
/// Every metric of the evaluation on maps whose answer is known by hand: one hot pixel, a uniform map, and a map equal
/// to the box.
/// </summary>
public sealed class MetricHandCaseTests
{
    private const int Width = 100, Height = 80;
    private static readonly Box Truth = new(20, 10, 60, 50);   // 40 x 40 = 1600 of 8000 pixels

    private static Heatmap Map(Func<int, int, float> value)
    {
        var values = new float[Width * Height];
        for (int y = 0; y < Height; y++)
            for (int x = 0; x < Width; x++) values[y * Width + x] = value(x, y);
        return new Heatmap(Width, Height, values);
    }

    [Theory]
    [InlineData(30, 20, true, 1.0)]    // inside
    [InlineData(70, 20, true, 0.0)]    // 10 px right of the box: within the 15 px slack, no energy inside
    [InlineData(90, 70, false, 0.0)]   // far away
    public void OneHotPixel_PointsWhereItIs(int x, int y, bool hit, double energy)
    {
        Heatmap map = Map((px, py) => px == x && py == y ? 1 : 0);

        Assert.Equal(hit, PointingGame.Hit(map, [Truth]));
        Assert.Equal(energy, PointingGame.Energy(map, Truth), 12);
        Assert.Equal(new Box(x, y, x + 1, y + 1), Localization.BoundingBox(map));
        Assert.Equal(Truth.Contains(x, y) ? 1.0 / 1600 : 0, Localization.BoundingBox(map)!.Value
            .IntersectionOverUnion(Truth), 12);
    }

    [Fact]
    public void UniformMap_SpreadsOverEverything()
    {
        Heatmap map = Map((_, _) => 0.5f);

        Assert.Equal(1600.0 / 8000, PointingGame.Energy(map, Truth), 12);
        Assert.Equal(new Box(0, 0, Width, Height), Localization.BoundingBox(map));
        Assert.Equal(1600.0 / 8000, Localization.BoundingBox(map)!.Value.IntersectionOverUnion(Truth), 12);
        var other = new Box(70, 0, 100, 40);
        (double own, double theirs) = ClassDiscrimination.Shares(map, Truth, [], other, []);
        Assert.Equal((1600.0 / 8000, 1200.0 / 8000), (own, theirs));
    }

    [Fact]
    public void MapEqualToTheBox_ScoresPerfectly()
    {
        Heatmap map = Map((x, y) => Truth.Contains(x, y) ? 1 : 0);
        var other = new Box(70, 0, 100, 40);

        Assert.True(PointingGame.Hit(map, [Truth]));
        Assert.Equal(1.0, PointingGame.Energy(map, Truth), 12);
        Assert.Equal(Truth, Localization.BoundingBox(map));
        Assert.Equal(1.0, Localization.BoundingBox(map)!.Value.IntersectionOverUnion(Truth), 12);
        Assert.Equal((1.0, 0.0), ClassDiscrimination.Shares(map, Truth, [], other, []));
        Assert.Equal(1.0, Ssim.Compute(map, map), 12);
        Assert.Equal(1.0, RankCorrelation.Spearman(map.Values, map.Values), 12);
    }

    [Fact]
    public void Ssim_IgnoresScale_AndPunishesTheInverse()
    {
        var random = new Random(3);
        Heatmap map = Map((_, _) => (float)random.NextDouble());
        Heatmap doubled = new(Width, Height, map.Values.Select(v => 2 * v + 1).ToArray());
        Heatmap inverse = new(Width, Height, map.Values.Select(v => 1 - v).ToArray());

        Assert.Equal(1.0, Ssim.Compute(map, doubled), 6);
        Assert.True(Ssim.Compute(map, inverse) < -0.9, $"SSIM with the inverse {Ssim.Compute(map, inverse)}");
    }

    [Fact]
    public void ConfidenceDrop_IsTheRelativeLoss_NeverAGain()
    {
        Assert.Equal(0.25, ConfidenceChange.Drop(0.8, 0.6), 12);
        Assert.Equal(0.0, ConfidenceChange.Drop(0.5, 0.9));
        Assert.Equal(1.0, ConfidenceChange.Drop(0.5, 0));
    }

    [Fact]
    public void Bootstrap_OnKnownSamples()
    {
        // A constant sample has no spread; a fair coin's 400 tosses have a mean of 0.5 and a 95% interval of about
        // 0.5 +- 1.96 * sqrt(0.25 / 400) = [0.451, 0.549].
        MeanInterval constant = Bootstrap.Mean([3, 3, 3, 3]);
        double[] coin = Enumerable.Range(0, 400).Select(i => (double)(i % 2)).ToArray();
        MeanInterval tosses = Bootstrap.Mean(coin, seed: 5);

        Assert.Equal(new MeanInterval(3, 3, 3, 4), constant);
        Assert.Equal(0.5, tosses.Mean);
        Assert.Equal(0.451, tosses.Low, 0.012);
        Assert.Equal(0.549, tosses.High, 0.012);
        Assert.Equal(tosses, Bootstrap.Mean(coin, seed: 5));
        Assert.Equal(2.5, Bootstrap.Percentile([1, 2, 3, 4], 0.5));
    }
}
