using GradCamSharp.Maps;
using GradCamSharp.Targets;
using TorchSharp;
using static TorchSharp.torch;

namespace GradCamSharp.Tests;

/// <summary>
/// A listing detector's output (<see cref="BoxList"/>) and <see cref="BoxScoreTarget"/>, pytorch-grad-cam's Faster
/// R-CNN target, on lists made by hand.
/// </summary>
public sealed class BoxScoreTargetTests
{
    /// <summary>Two samples: the first lists a class-2 box (10, 10)-(30, 30) at 0.9 and a class-1 box at 0.8; the
    /// second lists them in the other order, the class-2 box moved by 2 pixels, and nothing else.</summary>
    private static Tensor Lists() => BoxList.Stack([
        BoxList.Rows(tensor(new float[] { 10, 10, 30, 30, 40, 0, 60, 20 }).reshape(2, 4), tensor(new[] { 0.9f, 0.8f }),
            tensor(new long[] { 2, 1 })),
        BoxList.Rows(tensor(new float[] { 40, 0, 60, 20, 12, 10, 32, 30 }).reshape(2, 4), tensor(new[] { 0.7f, 0.6f }),
            tensor(new long[] { 1, 2 })),
    ]);

    [Fact]
    public void TheScore_IsTheMatchingBoxsIouPlusItsScore_WhereverTheListHasIt()
    {
        using DisposeScope scope = NewDisposeScope();
        Tensor lists = Lists();
        float[] scores = new BoxScoreTarget(2, 10, 10, 30, 30).Scores(lists)[0].Values.data<float>().ToArray();
        // By hand: itself (IoU 1) + 0.9; moved by 2: intersection 18 x 20 = 360, union 400 + 400 - 360 = 440.
        Assert.Equal(1.9f, scores[0], 5);
        Assert.Equal(360f / 440 + 0.6f, scores[1], 5);
        // The best overlap has another label, or overlaps too little: 0.
        Assert.Equal([0f, 0f], new BoxScoreTarget(1, 10, 10, 30, 30).Scores(lists)[0].Values.data<float>().ToArray());
        float[] strict = new BoxScoreTarget(2, 10, 10, 30, 30, iouThreshold: 0.9f).Scores(lists)[0].Values
            .data<float>().ToArray();
        Assert.Equal(1.9f, strict[0], 5);
        Assert.Equal(0f, strict[1]);
        // The gradient reaches the score (1) and the box (through the IoU) of the matching row only.
        Tensor values = lists.detach().requires_grad_(true);
        new BoxScoreTarget(2, 10, 10, 30, 30).Scores(values)[0].Values[1].backward();
        float[] gradient = values.grad!.data<float>().ToArray();
        int row = (1 * 2 + 1) * BoxList.Columns;                        // sample 1's second row: the class-2 box
        Assert.Equal(1f, gradient[row + BoxList.ScoreColumn]);
        Assert.NotEqual(0f, gradient[row]);                             // its left edge moves the IoU
        Assert.All(gradient[..row], g => Assert.Equal(0f, g));
    }

    [Fact]
    public void Decode_ReadsTheListInOrder_SkippingPaddingLowScoresAndEmptyBoxes()
    {
        using DisposeScope scope = NewDisposeScope();
        Tensor rows = BoxList.Rows(tensor(new float[] { 10, 10, 30, 30, 5, 5, 5, 9, 1, 1, 3, 3 }).reshape(3, 4),
            tensor(new[] { 0.9f, 0.8f, 0.1f }), tensor(new long[] { 2, 1, 3 }));
        IReadOnlyList<Detection> found = BoxList.Decode(rows, 0.3f);
        Detection only = Assert.Single(found);                                  // an empty box, a low score
        Assert.Equal(new Box(10, 10, 30, 30), only.Box);
        Assert.Equal((2, 0, Detection.Listed, false), (only.ClassIndex, only.Row, only.Column, only.HasCell));
        Assert.IsType<BoxScoreTarget>(only.Target);
        Tensor padded = BoxList.Stack([rows, rows[..1]]);
        Assert.Equal([2L, 3L, 6L], padded.shape);
        Assert.Equal(-1f, padded[1, 2, BoxList.LabelColumn].item<float>());
        Assert.Empty(BoxList.Decode(padded[1, 1..], 0.3f));

        Assert.Throws<UsageException>(() => BoxList.Rows(zeros(2, 4), zeros(3), zeros(2)));
        Assert.Throws<UsageException>(() => new BoxScoreTarget(0, 5, 5, 5, 9));
        Assert.Throws<UsageException>(() => new BoxScoreTarget(0, 1, 1, 9, 9).Scores(zeros(1, 3, 4)));
    }
}
