using GradCamSharp.Imaging;
using GradCamSharp.Models;
using SkiaSharp;
using TorchSharp;
using static TorchSharp.torch;

namespace GradCamSharp.Pipeline;

/// <summary>What a model predicts for a photo, best first: what the demo offers to explain.</summary>
public static class ClassRanking
{
    /// <summary>The <paramref name="count"/> best classes of <paramref name="photo"/>: one forward, no gradient.
    /// </summary>
    public static IReadOnlyList<RankedClass> Rank(LoadedModel model, SKBitmap photo, int count)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(photo);
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        PreparedImage prepared = ImagePreprocessor.Prepare(photo,
            model.PreprocessingFor?.Invoke(photo.Width, photo.Height) ?? model.Preprocessing);
        using DisposeScope scope = NewDisposeScope();
        using IDisposable explaining = model.Model.BeginExplanation();
        using IDisposable noGradient = no_grad();
        Tensor output = model.Model.Forward(prepared.ToTensor(), ForwardTaps.None);
        if (output.dim() != 2) throw new UsageException($"{model.Name} gives a {output.dim()}-D output, not classes");
        float[] scores = output[0].to(ScalarType.Float32).data<float>().ToArray();
        int[] answers = Enumerable.Range(0, scores.Length).Where(i => !model.NotAnswers.Contains(i)).ToArray();
        double max = answers.Max(i => (double)scores[i]);
        double total = answers.Sum(i => Math.Exp(scores[i] - max));
        return answers.OrderByDescending(i => scores[i]).Take(count)
            .Select(i => new RankedClass(i, model.LabelOf(i), scores[i], Math.Exp(scores[i] - max) / total))
            .ToList();
    }
}
