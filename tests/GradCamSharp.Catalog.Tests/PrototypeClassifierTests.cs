using GradCamSharp.Models;
using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace GradCamSharp.Catalog.Tests;

public sealed class PrototypeClassifierTests
{
    [Fact]
    public void Scores_AreCosineSimilaritiesOfPooledFeaturesToThePrototypes()
    {
        using DisposeScope scope = NewDisposeScope();
        // Identity features [1, 2, 2, 2]: channel means (1, 3).
        Tensor input = tensor(new float[] { 0, 2, 1, 1, 3, 3, 2, 4 }).reshape(1, 2, 2, 2);
        using var head = new PrototypeClassifier(new TorchModuleModel(Sequential(("features", Identity()))),
            ["same", "opposite", "orthogonal"], [[2f, 6f], [-1f, -3f], [3f, -1f]]);
        float[] scores = head.Forward(input, ForwardTaps.None).data<float>().ToArray();
        Assert.Equal(1f, scores[0], 5);
        Assert.Equal(-1f, scores[1], 5);
        Assert.Equal(0f, scores[2], 5);
        Assert.Equal(["same", "opposite", "orthogonal"], head.Labels);
        Assert.Throws<ArgumentException>(() => new PrototypeClassifier(head.Features, ["a"], [[1f], [2f]],
            leaveOpen: true));
    }
}
