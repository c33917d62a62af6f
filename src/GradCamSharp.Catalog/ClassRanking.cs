using GradCamSharp.Imaging;
using GradCamSharp.Models;
using SkiaSharp;
using TorchSharp;
using static TorchSharp.torch;

namespace GradCamSharp.Catalog;

/// <summary>What a model predicts for a photo, best first: what the demo offers to explain.</summary>
public static class ClassRanking
{
    /// <summary>The <paramref name="count"/> best classes of <paramref name="photo"/>: one forward, no gradient.
    /// </summary>
    public static IReadOnlyList<RankedClass> Rank(LoadedModel model, SKBitmap photo, int count) =>
        RankMany(model, [photo], count)[0];

    /// <summary>
    /// <see cref="Rank"/> for several photos, in one forward pass for those whose inputs have the same size.
    /// </summary>
    /// <returns>Each photo's best classes, in the order of <paramref name="photos"/>.</returns>
    public static IReadOnlyList<IReadOnlyList<RankedClass>> RankMany(LoadedModel model, IReadOnlyList<SKBitmap> photos,
        int count)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(photos);
        return RankPrepared(model, [.. photos.Select(photo => ImagePreprocessor.Prepare(photo,
            model.PreprocessingFor?.Invoke(photo.Width, photo.Height) ?? model.Preprocessing))], count);
    }

    /// <summary>
    /// <see cref="RankMany"/> for photos already made the model's input (by <c>PhotoExplainer.Prepare</c>, whose maps
    /// then come from the same inputs).
    /// </summary>
    /// <returns>Each photo's best classes, in the order of <paramref name="prepared"/>.</returns>
    public static IReadOnlyList<IReadOnlyList<RankedClass>> RankPrepared(LoadedModel model,
        IReadOnlyList<PreparedImage> prepared, int count)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(prepared);
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        var ranked = new IReadOnlyList<RankedClass>[prepared.Count];
        using IDisposable explaining = model.Model.BeginExplanation();
        using IDisposable noGradient = no_grad();
        foreach (IGrouping<(int, int), int> sameSize in Enumerable.Range(0, prepared.Count)
            .GroupBy(i => (prepared[i].Preprocessing.Width, prepared[i].Preprocessing.Height)))
        {
            int[] members = [.. sameSize];
            using DisposeScope scope = NewDisposeScope();
            Tensor output = model.Model.Forward(cat([.. members.Select(i => prepared[i].ToTensor())], 0),
                ForwardTaps.None);
            if (output.dim() != 2)
                throw new UsageException($"{model.Name} gives a {output.dim()}-D output, not classes");
            for (int sample = 0; sample < members.Length; sample++)
                ranked[members[sample]] = Best(model, output[sample].to(ScalarType.Float32).data<float>().ToArray(),
                    count);
        }
        return ranked;
    }

    private static List<RankedClass> Best(LoadedModel model, float[] scores, int count)
    {
        int[] answers = Enumerable.Range(0, scores.Length).Where(i => !model.NotAnswers.Contains(i)).ToArray();
        double max = answers.Max(i => (double)scores[i]);
        double total = answers.Sum(i => Math.Exp(scores[i] - max));
        return answers.OrderByDescending(i => scores[i]).Take(count)
            .Select(i => new RankedClass(i, model.LabelOf(i), scores[i], Math.Exp(scores[i] - max) / total))
            .ToList();
    }
}
