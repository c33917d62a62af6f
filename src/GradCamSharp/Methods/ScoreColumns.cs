using GradCamSharp.Maps;
using GradCamSharp.Targets;
using static TorchSharp.torch;

namespace GradCamSharp.Methods;

/// <summary>
/// The j-th score of every sample, summed: one backward pass per column yields each sample's own gradient, because
/// samples do not interact in inference mode.
/// </summary>
internal sealed record ScoreColumn(Tensor Total, IReadOnlyList<ScoreEntry> Entries, bool IsLast);

/// <summary>One sample's score within a <see cref="ScoreColumn"/>.</summary>
internal sealed record ScoreEntry(int Sample, float Score, int? ClassIndex, string TargetName)
{
    /// <summary>
    /// The explanation of this score by <paramref name="method"/>: what every method fills in the same.
    /// </summary>
    public Explanation Explained(string method, string layer, Heatmap heatmap) => new()
    {
        Method = method,
        Layer = layer,
        SampleIndex = Sample,
        TargetName = TargetName,
        ClassIndex = ClassIndex,
        Score = Score,
        Heatmap = heatmap,
    };
}

internal static class ScoreColumns
{
    public static IReadOnlyList<ScoreColumn> Build(Tensor output,
        IReadOnlyList<IReadOnlyList<ITarget>> targetsPerSample)
    {
        var scoresByTarget = new Dictionary<ITarget, IReadOnlyList<TargetScore>>(ReferenceEqualityComparer.Instance);
        var perSample = new List<List<(TargetScore Score, int Sample)>>();
        for (int sample = 0; sample < targetsPerSample.Count; sample++)
        {
            IReadOnlyList<ITarget> targets =
                targetsPerSample[sample].Count > 0 ? targetsPerSample[sample] : [TopClassesTarget.Top1];
            var scores = new List<(TargetScore, int)>();
            foreach (ITarget target in targets)
            {
                if (!scoresByTarget.TryGetValue(target, out IReadOnlyList<TargetScore>? columns))
                {
                    columns = target.Scores(output);
                    scoresByTarget[target] = columns;
                }
                scores.AddRange(columns.Select(column => (column, sample)));
            }
            perSample.Add(scores);
        }

        int columnCount = perSample.Max(scores => scores.Count);
        var result = new List<ScoreColumn>(columnCount);
        for (int j = 0; j < columnCount; j++)
        {
            var members = perSample.Where(scores => scores.Count > j).Select(scores => scores[j]).ToList();
            Tensor picked = stack(members.Select(m => m.Score.Values[m.Sample]).ToArray());
            float[] values = picked.detach().cpu().to(ScalarType.Float32).data<float>().ToArray();
            var entries = members.Select((m, k) => new ScoreEntry(
                m.Sample, values[k], m.Score.ClassIndices?[m.Sample], m.Score.Name)).ToList();
            result.Add(new ScoreColumn(picked.sum(), entries, j == columnCount - 1));
        }
        return result;
    }
}
