using GradCamSharp.Models;
using static TorchSharp.torch;

namespace GradCamSharp.Methods;

/// <summary>
/// The batching shared by the perturbation methods: how many perturbed inputs go through the model at once, progress
/// after each batch, and cancellation between batches.
/// </summary>
public static class PerturbationBatches
{
    /// <summary>The number of input values at which the default batch is <see cref="ReferenceBatch"/>.</summary>
    private const long ReferenceValues = 3 * 224 * 224;

    /// <summary>
    /// The default batch for a 224 x 224 colour image: most of the throughput, a bounded memory peak.
    /// </summary>
    private const int ReferenceBatch = 16;

    /// <summary>The largest default batch, for tiny inputs.</summary>
    private const int LargestBatch = 64;

    /// <summary>
    /// The default batch for inputs of <paramref name="valuesPerInput"/> values: 16 at 3 x 224 x 224, inversely
    /// proportional to the input's size (activations grow with it), between 1 and 64.
    /// </summary>
    public static int DefaultSize(long valuesPerInput)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(valuesPerInput, 1);
        return (int)Math.Clamp(ReferenceBatch * ReferenceValues / valuesPerInput, 1, LargestBatch);
    }

    /// <summary>
    /// The values alive at once in a pass, per value of the largest layer output: a layer's input, its output and a
    /// residual branch's value (the import and <see cref="Models.TorchModuleModel"/> free the rest as they go).
    /// </summary>
    private const int LiveValuesPerLargestLayer = 3;

    /// <summary>
    /// The batch size <paramref name="options"/> ask for, or the default for <paramref name="input"/>: the smaller of
    /// <see cref="DefaultSize"/> and what fits <see cref="RunOptions.PerturbationMemoryMegabytes"/>, given the largest
    /// layer output of <paramref name="model"/> for one input.
    /// </summary>
    /// <param name="options">The run's batching and memory.</param>
    /// <param name="input">[N, ...] the model input.</param>
    /// <param name="model">The model the perturbed inputs go through.</param>
    public static int SizeFor(RunOptions options, Tensor input, IExplainableModel model)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentOutOfRangeException.ThrowIfNegative(options.BatchSize);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.PerturbationMemoryMegabytes, 1);
        if (options.BatchSize > 0) return options.BatchSize;
        int bySize = DefaultSize(input.numel() / Math.Max(1, input.shape[0]));
        long bytesPerInput = LiveValuesPerLargestLayer * sizeof(float) * ModelLayers.LargestLayerValues(model, input);
        long byBudget = ((long)options.PerturbationMemoryMegabytes << 20) / bytesPerInput;
        return (int)Math.Clamp(byBudget, 1, bySize);
    }

    /// <summary>
    /// The batches (start, count) of <paramref name="total"/> perturbed inputs, <paramref name="batchSize"/> at a time;
    /// cancellation is checked before each batch and progress reported after it.
    /// </summary>
    public static IEnumerable<(long Start, int Count)> Of(long total, int batchSize, string method, RunOptions options)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        ArgumentNullException.ThrowIfNull(options);
        for (long start = 0; start < total; start += batchSize)
        {
            options.Cancellation.ThrowIfCancellationRequested();
            int count = (int)Math.Min(batchSize, total - start);
            yield return (start, count);
            options.Progress?.Report(new MethodProgress(method, start + count, total));
        }
    }

    /// <summary>
    /// Scores <paramref name="total"/> perturbed inputs without autograd: <paramref name="perturb"/> makes the batch
    /// (start, count), <paramref name="forward"/> runs it; the scores of <paramref name="classIndices"/>, [total,
    /// classes].
    /// </summary>
    internal static Tensor Scores(long total, int batchSize, string method, RunOptions options,
        Func<long, int, Tensor> perturb, Func<Tensor, Tensor> forward, IReadOnlyList<int> classIndices)
    {
        using var noGrad = no_grad();
        var scores = new List<Tensor>();
        long[] columns = [.. classIndices.Select(c => (long)c)];
        foreach ((long start, int count) in Of(total, batchSize, method, options))
        {
            using var scope = NewDisposeScope();
            Tensor output = forward(perturb(start, count));
            scores.Add(output.reshape(count, -1).index_select(1, tensor(columns, device: output.device))
                .MoveToOuterDisposeScope());
        }
        return cat(scores, 0);
    }
}
