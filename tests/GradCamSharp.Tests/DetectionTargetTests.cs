using GradCamSharp.Maps;
using GradCamSharp.Targets;
using static TorchSharp.torch;

namespace GradCamSharp.Tests;

/// <summary>
/// A single-tensor detector's output read by <see cref="Detection.Decode"/> and explained by
/// <see cref="DetectionTarget"/>, on outputs made by hand.
/// </summary>
public sealed class DetectionTargetTests
{
    /// <summary>[5 + 3, 4, 4] logits with nothing anywhere, then the given objects set by hand.</summary>
    private static Tensor Output(params (int Row, int Column, int Class, float X, float Y, float Width, float Height,
        float Objectness)[] objects)
    {
        Tensor output = zeros(DetectionTarget.ClassOffset + 3, 4, 4);
        output[0] = full(4, 4, -20f);
        foreach (var o in objects)
        {
            output[0, o.Row, o.Column] = tensor(o.Objectness);
            output[1, o.Row, o.Column] = tensor(MathF.Log(o.X / (1 - o.X)));
            output[2, o.Row, o.Column] = tensor(MathF.Log(o.Y / (1 - o.Y)));
            output[3, o.Row, o.Column] = tensor(MathF.Log(o.Width / 16f));
            output[4, o.Row, o.Column] = tensor(MathF.Log(o.Height / 16f));
            output[DetectionTarget.ClassOffset + o.Class, o.Row, o.Column] = tensor(10f);
        }
        return output;
    }

    [Fact]
    public void Decode_ReadsBoxesFromTheirCells_AndSuppressesTheWeakerOverlap()
    {
        using var scope = NewDisposeScope();
        // A 64x64 input read by a 4x4 grid: cells of 16 pixels, boxes of 16 * exp(t) pixels.
        Tensor output = Output((1, 2, 0, 0.5f, 0.25f, 16, 32, 8), (3, 0, 2, 0.75f, 0.5f, 8, 8, 6),
            (0, 2, 0, 0.5f, 0.99f, 16, 32, 2));
        IReadOnlyList<Detection> found = Detection.Decode(output, 64, 64, anchor: 16, threshold: 0.5f, overlap: 0.5f);
        // The third box, [32, 0, 48, 32], overlaps the first (same class) by IoU 0.78 and scores less: suppressed.
        Assert.Equal(2, found.Count);
        Assert.Equal(new Box(32, 4, 48, 36), found[0].Box);          // centre (40, 20), 16 x 32
        Assert.Equal((0, 1, 2), (found[0].ClassIndex, found[0].Row, found[0].Column));
        Assert.Equal(new Box(8, 52, 16, 60), found[1].Box);          // centre (12, 56), 8 x 8
        float expected = 1 / (1 + MathF.Exp(-8)) / (1 + 2 * MathF.Exp(-10));
        Assert.Equal(expected, found[0].Score, 5);
        Assert.Empty(Detection.Decode(output, 64, 64, 16, threshold: 0.9999f));
        // Of another class, the overlapping box stays.
        Tensor other = Output((1, 2, 0, 0.5f, 0.25f, 16, 32, 8), (0, 2, 1, 0.5f, 0.99f, 16, 32, 2));
        Assert.Equal(2, Detection.Decode(other, 64, 64, 16).Count);
    }

    [Fact]
    public void Target_IsTheDetectionsObjectnessPlusItsClassLogit_AtItsCell()
    {
        using var scope = NewDisposeScope();
        Tensor output = randn(2, DetectionTarget.ClassOffset + 3, 4, 5);
        TargetScore score = Assert.Single(new DetectionTarget(3, 4, 2).Scores(output));
        Tensor expected = output[.., 0, 3, 4] + output[.., DetectionTarget.ClassOffset + 2, 3, 4];
        Assert.Equal(expected.data<float>().ToArray(), score.Values.data<float>().ToArray());
        Assert.Equal([2, 2], score.ClassIndices!);
        Assert.Throws<UsageException>(() => new DetectionTarget(4, 0, 0).Scores(output));
        Assert.Throws<UsageException>(() => new DetectionTarget(0, 0, 3).Scores(output));
        Assert.Throws<UsageException>(() => new DetectionTarget(0, 0, 0).Scores(randn(2, 10)));
        Assert.Throws<UsageException>(() => new DetectionTarget(-1, 0, 0));
        Assert.Throws<UsageException>(() => Detection.Decode(randn(4, 4), 64, 64, 16));
    }
}
