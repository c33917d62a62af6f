using GradCamSharp.Targets;
using TorchSharp;
using static TorchSharp.torch;

namespace GradCamSharp.Tests;

/// <summary>Greedy CTC decoding on hand-built outputs, and the CTC targets against their closed forms.</summary>
public sealed class CtcTargetTests
{
    [Fact]
    public void Greedy_MergesRepeats_DropsBlanks_AndKeepsEachTokensFrames()
    {
        // Frames: a a _ a b b _ _ c  ->  "a" (0-1), "a" (3), "b" (4-5), "c" (8); the blank separates the two a's.
        int[] path = [1, 1, 0, 1, 2, 2, 0, 0, 3];
        using DisposeScope scope = NewDisposeScope();
        Tensor scores = nn.functional.one_hot(tensor(path.Select(p => (long)p).ToArray()), 4).to(ScalarType.Float32);

        IReadOnlyList<CtcToken> tokens = CtcDecoding.Greedy(scores);

        Assert.Equal([1, 1, 2, 3], tokens.Select(t => t.Token));
        Assert.Equal([0, 1], tokens[0].Frames);
        Assert.Equal([3], tokens[1].Frames);
        Assert.Equal([4, 5], tokens[2].Frames);
        Assert.Equal([8], tokens[3].Frames);
        Assert.Empty(CtcDecoding.Collapse([0, 0, 0]));
        Assert.Empty(CtcDecoding.Collapse([]));
    }

    [Fact]
    public void TokenTarget_IsTheSumOfLogSoftmaxOverItsFrames_AndWholePathOverEveryFrame()
    {
        using DisposeScope scope = NewDisposeScope();
        manual_seed(4);
        Tensor logits = randn(2, 6, 5, dtype: ScalarType.Float64);
        Tensor logProbabilities = logits.log_softmax(-1);

        Tensor token = new CtcTokenTarget(3, [1, 2, 4]).Scores(logits).Single().Values;
        int[] path = [0, 3, 3, 0, 2, 1];
        Tensor whole = CtcTokenTarget.WholePath(path).Scores(logits).Single().Values;
        Tensor word = CtcTokenTarget.Tokens([new CtcToken(3, [1, 2]), new CtcToken(2, [4])]).Scores(logits).Single()
            .Values;

        for (int n = 0; n < 2; n++)
        {
            double expected = new[] { 1, 2, 4 }.Sum(f => logProbabilities[n, f, 3].item<double>());
            Assert.Equal(expected, token[n].item<double>(), 10);
            double expectedPath = path.Select((c, f) => logProbabilities[n, f, c].item<double>()).Sum();
            Assert.Equal(expectedPath, whole[n].item<double>(), 10);
            double expectedWord = logProbabilities[n, 1, 3].item<double>() + logProbabilities[n, 2, 3].item<double>()
                + logProbabilities[n, 4, 2].item<double>();
            Assert.Equal(expectedWord, word[n].item<double>(), 10);
        }
    }

    [Fact]
    public void TokenTarget_OutsideTheOutput_SaysWhatItNeeds()
    {
        using DisposeScope scope = NewDisposeScope();
        Tensor logits = zeros(1, 4, 5);
        Assert.Contains("frames up to 7", Assert.Throws<UsageException>(() =>
            new CtcTokenTarget(1, [7]).Scores(logits)).Message);
        Assert.Throws<UsageException>(() => new CtcTokenTarget(9, [1]).Scores(logits));
        Assert.Throws<ArgumentException>(() => new CtcTokenTarget(1, []));
    }

    [Fact]
    public void RegionTarget_SumsTheMapInsideTheRegion_AndRefusesAnEmptyOne()
    {
        using DisposeScope scope = NewDisposeScope();
        Tensor map = arange(2 * 1 * 4 * 5, dtype: ScalarType.Float32).reshape(2, 1, 4, 5);
        Tensor sums = new RegionTarget(1, 2, 3, 4).Scores(map).Single().Values;
        Assert.Equal(map[0, 0, 2..4, 1..3].sum().item<float>(), sums[0].item<float>());
        Assert.Equal(map[1, 0, 2..4, 1..3].sum().item<float>(), sums[1].item<float>());
        Assert.Throws<UsageException>(() => new RegionTarget(6, 0, 9, 2).Scores(map));
    }
}
