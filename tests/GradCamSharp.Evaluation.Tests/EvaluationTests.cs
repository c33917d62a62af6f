using GradCamSharp.Maps;

namespace GradCamSharp.Evaluation.Tests;

public sealed class EvaluationTests
{
    [Fact]
    public void BoundingBox_TakesTheLargestRegionAboveFifteenPercent()
    {
        var values = new float[10 * 10];
        for (int y = 1; y <= 3; y++) for (int x = 1; x <= 4; x++) values[y * 10 + x] = 1f;     // 12 cells, the peak
        for (int y = 5; y <= 8; y++) for (int x = 5; x <= 8; x++) values[y * 10 + x] = 0.2f;   // 16 cells, above 15%
        values[0] = 0.1f;                                                                        // below the cut
        Box? box = Localization.BoundingBox(new Heatmap(10, 10, values));
        Assert.Equal(new Box(5, 5, 9, 9), box);
        Assert.Null(Localization.BoundingBox(new Heatmap(2, 2, new float[4])));
    }

    [Fact]
    public void BoundingBox_JoinsDiagonalNeighbours()
    {
        var values = new float[5 * 5];
        values[0] = values[6] = values[12] = 1f;
        Assert.Equal(new Box(0, 0, 3, 3), Localization.BoundingBox(new Heatmap(5, 5, values)));
    }

    [Fact]
    public void PointingGame_CountsPeaksWithinTolerance()
    {
        var values = new float[100 * 100];
        values[50 * 100 + 60] = 1f;
        var map = new Heatmap(100, 100, values);
        Assert.True(PointingGame.Hit(map, [new Box(0, 0, 61, 61)]));
        Assert.True(PointingGame.Hit(map, [new Box(0, 0, 50, 50)], tolerance: 15));
        Assert.False(PointingGame.Hit(map, [new Box(0, 0, 40, 40)], tolerance: 15));
        Assert.Equal(0.5, PointingGame.Accuracy([(map, [new Box(55, 45, 65, 55)]), (map, [new Box(0, 0, 10, 10)])], 0));
    }

    [Fact]
    public void Box_IntersectionOverUnion()
    {
        Assert.Equal(1.0, new Box(0, 0, 10, 10).IntersectionOverUnion(new Box(0, 0, 10, 10)));
        Assert.Equal(25.0 / 175.0, new Box(0, 0, 10, 10).IntersectionOverUnion(new Box(5, 5, 15, 15)), 9);
        Assert.Equal(0.0, new Box(0, 0, 10, 10).IntersectionOverUnion(new Box(20, 20, 30, 30)));
    }
}
