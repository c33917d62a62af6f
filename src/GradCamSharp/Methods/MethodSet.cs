using GradCamSharp.Maps;
using GradCamSharp.Models;
using GradCamSharp.Targets;
using TorchSharp;
using static TorchSharp.torch;

namespace GradCamSharp.Methods;

/// <summary>
/// Several methods on one model, run together: methods that read the same target layer share one forward pass and
/// one backward pass per score, so the paper's four maps (Grad-CAM, Guided Backprop, Guided Grad-CAM, counterfactual)
/// cost what Guided Grad-CAM alone costs. A set may also fuse one method's maps at several layers into one map (see
/// <see cref="KnownMethods.CreateSet"/>).
/// </summary>
public sealed class MethodSet : IExplainer
{
    private readonly Explainer[] _methods;
    private readonly int[] _output;
    private readonly MethodSetOptions _options;

    /// <summary>Runs <paramref name="methods"/> together; they must explain the same model.</summary>
    /// <param name="methods">The methods.</param>
    /// <param name="outputOf">For each method, the index of the map it contributes to; methods that share an index
    /// (one method at several layers) are fused into one map, the mean of their maps. Null: one map per method.</param>
    /// <param name="options">Smoothing over augmentations, and how maps that share an output are fused.</param>
    public MethodSet(IReadOnlyList<Explainer> methods, IReadOnlyList<int>? outputOf = null,
        MethodSetOptions? options = null)
    {
        _options = options ?? new MethodSetOptions();
        ArgumentNullException.ThrowIfNull(methods);
        if (methods.Count == 0) throw new ArgumentException("a method set needs at least one method", nameof(methods));
        if (methods.Any(m => !ReferenceEquals(m.Model, methods[0].Model)))
            throw new ArgumentException("the methods of a set must explain the same model", nameof(methods));
        _methods = [.. methods];
        _output = outputOf is null ? [.. Enumerable.Range(0, methods.Count)] : [.. outputOf];
        if (_output.Length != methods.Count || !_output.Distinct().Order().SequenceEqual(
            Enumerable.Range(0, _output.Max() + 1)))
            throw new ArgumentException("outputOf must number the maps 0, 1, ... for every method", nameof(outputOf));
    }

    /// <summary>The methods, as they run.</summary>
    public IReadOnlyList<Explainer> Methods => _methods;

    /// <summary>The method of each map returned for a target, in order (fused methods once).</summary>
    public IReadOnlyList<string> Outputs =>
        Enumerable.Range(0, _output.Max() + 1).Select(o => _methods[Array.IndexOf(_output, o)].Name).ToArray();

    /// <inheritdoc />
    public string Name => string.Join("+", Outputs);

    /// <summary>
    /// Explains every sample of <paramref name="input"/> for the same targets (the top-1 class if none), every method
    /// of the set from one forward pass.
    /// </summary>
    /// <param name="input">[N, C, H, W] model input.</param>
    /// <param name="targets">The scores to explain for every sample.</param>
    /// <returns>Explanations ordered by sample, then target, then map (see <see cref="Outputs"/>).</returns>
    /// <exception cref="UsageException">A target or layer that does not fit the model or a method.</exception>
    /// <example><code>var four = KnownMethods.CreateSet(["all"], model).Explain(input, new ClassTarget(281));</code>
    /// </example>
    public IReadOnlyList<Explanation> Explain(Tensor input, params ITarget[] targets) =>
        Explain(input, ExplainerExtensions.SameForEverySample(input, targets));

    /// <summary>
    /// Explains every sample of <paramref name="input"/> for the same targets, stopping between batches of perturbed
    /// inputs when <paramref name="cancellation"/> fires and telling <paramref name="progress"/> after each.
    /// </summary>
    /// <param name="input">[N, C, H, W] model input.</param>
    /// <param name="cancellation">Checked between batches (Score-CAM, Ablation-CAM, occlusion, SmoothGrad...).</param>
    /// <param name="progress">The method and how many of its batches are done.</param>
    /// <param name="targets">The scores to explain for every sample.</param>
    /// <returns>Explanations ordered by sample, then target, then map (see <see cref="Outputs"/>).</returns>
    /// <exception cref="UsageException">A target or layer that does not fit the model or a method.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellation"/> fired.</exception>
    public IReadOnlyList<Explanation> Explain(Tensor input, CancellationToken cancellation,
        IProgress<MethodProgress>? progress, params ITarget[] targets) =>
        Explain(input, ExplainerExtensions.SameForEverySample(input, targets),
            new RunOptions { Cancellation = cancellation, Progress = progress });

    /// <inheritdoc />
    /// <returns>Explanations ordered by sample, then target, then map (see <see cref="Outputs"/>).</returns>
    public IReadOnlyList<Explanation> Explain(Tensor input, IReadOnlyList<IReadOnlyList<ITarget>> targetsPerSample,
        RunOptions? run = null)
    {
        run ??= RunOptions.Default;
        IReadOnlyList<Explanation> each = _options.AugSmooth
            ? Augmented(input, targetsPerSample, run)
            : ExplanationPass.Explain(_methods[0].Model, input, targetsPerSample, _methods, run);
        if (_output.Length == _output.Max() + 1 && _output.SequenceEqual(Enumerable.Range(0, _output.Length)))
            return each;
        var fused = new List<Explanation>();
        foreach (Explanation[] target in each.Chunk(_methods.Length))
        {
            for (int output = 0; output <= _output.Max(); output++)
                fused.Add(Fuse(target.Where((_, m) => _output[m] == output).ToArray(), _options.LayerFusion));
        }
        return fused;
    }

    /// <summary>
    /// Test-time augmentation: the plain pass fixes the classes; the flipped and value-scaled inputs are explained for
    /// those classes, their maps flipped back, and every map averaged with its counterparts.
    /// </summary>
    private List<Explanation> Augmented(Tensor input, IReadOnlyList<IReadOnlyList<ITarget>> targetsPerSample,
        RunOptions run)
    {
        IExplainableModel model = _methods[0].Model;
        IReadOnlyList<Explanation> plain = ExplanationPass.Explain(model, input, targetsPerSample, _methods, run);
        // The classes each sample's targets resolved to, in column order (one entry per method and column).
        IReadOnlyList<ITarget>[] classes = Enumerable.Range(0, (int)input.shape[0]).Select(sample =>
            (IReadOnlyList<ITarget>)plain.Where(e => e.SampleIndex == sample).Chunk(_methods.Length)
                .Select(column => (ITarget)new ClassTarget(column[0].ClassIndex ?? throw new UsageException(
                    "aug-smooth re-explains the classes of the plain input: use class or top-k targets")))
                .ToArray()).ToArray();
        var runs = new List<IReadOnlyList<Explanation>> { plain };
        foreach ((bool flip, double scale) in new[] { (false, 0.9), (false, 1.1), (true, 0.9), (true, 1.0),
            (true, 1.1) })
        {
            using DisposeScope scope = NewDisposeScope();
            Tensor augmented = input * scale;
            if (flip) augmented = augmented.flip(3);
            IReadOnlyList<Explanation> again = ExplanationPass.Explain(model, augmented, classes, _methods, run);
            runs.Add(flip ? again.Select(Flipped).ToList() : again);
        }
        return Enumerable.Range(0, plain.Count).Select(i => Averaged(runs.Select(r => r[i]).ToArray())).ToList();
    }

    private static Explanation Flipped(Explanation explanation)
    {
        static float[] FlipRows(float[] values, int width)
        {
            var flipped = new float[values.Length];
            for (int row = 0; row < values.Length / width; row++)
            {
                for (int x = 0; x < width; x++) flipped[row * width + x] = values[row * width + width - 1 - x];
            }
            return flipped;
        }
        Heatmap heat = explanation.Heatmap;
        return explanation with
        {
            Heatmap = new Heatmap(heat.Width, heat.Height, FlipRows(heat.Values, heat.Width)),
            RawMap = null,
            Attribution = explanation.Attribution is Attribution a
                ? new Attribution(a.Channels, a.Width, a.Height, FlipRows(a.Values, a.Width)) : null,
        };
    }

    /// <summary>The mean of one map over augmentations, keeping the plain input's score and raw map size.</summary>
    private static Explanation Averaged(Explanation[] runs)
    {
        Explanation mean = Fuse(runs);
        return runs[0] with { Heatmap = mean.Heatmap, RawMap = null, Attribution = mean.Attribution };
    }

    /// <summary>
    /// One map from the maps of one method at several layers (or augmentations): the mean of their heatmaps (each in
    /// [0, 1]), or LayerCAM's sum of tanh-rescaled maps, scaled back to [0, 1]; and the mean of their attributions.
    /// </summary>
    internal static Explanation Fuse(Explanation[] layers, LayerFusion fusion = LayerFusion.Mean)
    {
        if (layers.Length == 1 && fusion == LayerFusion.Mean) return layers[0];
        Explanation first = layers[0];
        var mean = new float[first.Heatmap.Values.Length];
        foreach (Explanation layer in layers)
        {
            float[] values = layer.Heatmap.Values;
            if (fusion == LayerFusion.ScaledSum)
            {
                float peak = Math.Max(values.Max(), 1e-30f);
                for (int i = 0; i < mean.Length; i++) mean[i] += MathF.Tanh(2 * values[i] / peak);
            }
            else
            {
                for (int i = 0; i < mean.Length; i++) mean[i] += values[i] / layers.Length;
            }
        }
        float max = mean.Max();
        if (max > 0)
        {
            for (int i = 0; i < mean.Length; i++) mean[i] /= max;
        }
        Attribution? attribution = null;
        if (first.Attribution is Attribution firstAttribution)
        {
            var values = new float[firstAttribution.Values.Length];
            foreach (Explanation layer in layers)
            {
                for (int i = 0; i < values.Length; i++) values[i] += layer.Attribution!.Values[i] / layers.Length;
            }
            attribution = new Attribution(firstAttribution.Channels, firstAttribution.Width, firstAttribution.Height,
                values);
        }
        return first with
        {
            Layer = Explanation.JoinLayers(layers.Select(l => l.Layer)),
            Heatmap = new Heatmap(first.Heatmap.Width, first.Heatmap.Height, mean),
            RawMap = null,
            Attribution = attribution,
        };
    }
}
