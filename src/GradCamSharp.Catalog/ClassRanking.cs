using GradCamSharp.Imaging;
using GradCamSharp.Models;
using GradCamSharp.Targets;
using SkiaSharp;
using TorchSharp;
using static TorchSharp.torch;

namespace GradCamSharp.Catalog;

/// <summary>What a model predicts for a photo, best first (a segmenter's classes by the pixels they cover): what the
/// demo offers to explain.</summary>
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
            bool dense = SegmentationTarget.IsDense(output);
            if (output.dim() != 2 && !dense)
                throw new UsageException($"{model.Name} gives a {output.dim()}-D output, not classes");
            for (int sample = 0; sample < members.Length; sample++)
            {
                Tensor scores = output[sample].to(ScalarType.Float32);
                ranked[members[sample]] = dense ? Widest(model, scores, count)
                    : Best(model, scores.data<float>().ToArray(), count);
            }
        }
        return ranked;
    }

    /// <summary>
    /// A segmenter's classes that cover the most pixels (those it assigns to them), as its top classes are chosen:
    /// each with its logits summed over its pixels (the score a segmentation target explains) and its share of the
    /// pixels as its probability.
    /// </summary>
    private static List<RankedClass> Widest(LoadedModel model, Tensor scores, int count)
    {
        long classes = scores.shape[0];
        // A detector's map has 5 + classes channels: not a segmenter's, whatever its shape.
        if (model.Labels is { } labels && labels.Count != classes)
        {
            throw new UsageException($"{model.Name} gives {classes} maps for its {labels.Count} labels: not a " +
                "segmenter's classes (gradcam detect explains a detector)");
        }
        Tensor assigned = scores.argmax(0).flatten();
        long[] pixels = assigned.bincount(null, classes).data<long>().ToArray();
        float[] sums = (scores.flatten(1) * nn.functional.one_hot(assigned, classes).t().to(ScalarType.Float32))
            .sum([1]).data<float>().ToArray();
        long total = assigned.shape[0];
        return [.. Enumerable.Range(0, (int)classes).Where(i => pixels[i] > 0 && !model.NotAnswers.Contains(i))
            .OrderByDescending(i => pixels[i]).Take(count)
            .Select(i => new RankedClass(i, model.LabelOf(i), sums[i], pixels[i] / (double)total))];
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
