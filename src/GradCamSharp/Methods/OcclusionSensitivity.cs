using GradCamSharp.Maps;
using GradCamSharp.Models;
using static TorchSharp.torch;

namespace GradCamSharp.Methods;

/// <summary>
/// Occlusion sensitivity (Zeiler and Fergus, Visualizing and Understanding Convolutional Networks, ECCV 2014, sec.
/// 4.2): how much the class score drops when a patch of the input is filled with a constant; the Grad-CAM paper's
/// reference for faithfulness (sec. 5.2). Each pixel gets the mean drop of the patches that cover it. Gradient-free:
/// the occluded copies run through the model in batches, without autograd.
/// </summary>
/// <param name="model">The model.</param>
/// <param name="patch">The square patch's side in input pixels; 0 for a seventh of the input's smaller side.</param>
/// <param name="stride">The step between patches; 0 for half the patch.</param>
/// <param name="fill">The patch's value in the model's input space (0: the mean colour of normalised inputs).</param>
public sealed class OcclusionSensitivity(IExplainableModel model, int patch = 0, int stride = 0, float fill = 0)
    : Explainer(model)
{
    /// <inheritdoc />
    public override string Name => "occlusion";

    internal override string? RequestedLayer => null;

    internal override bool NeedsLayerGradient => false;

    internal override bool NeedsPixelGradient => false;

    /// <summary>
    /// The usual patch for an input of <paramref name="height"/> x <paramref name="width"/>: a seventh of its smaller
    /// side (32 pixels for 224), at half that stride, so that small inputs still get a grid of positions.
    /// </summary>
    public static (int Patch, int Stride) DefaultPatch(long height, long width)
    {
        int patch = (int)Math.Max(2, Math.Round(Math.Min(height, width) / 7.0));
        return (patch, Math.Max(1, patch / 2));
    }

    /// <summary>
    /// The score drop of every patch position, row by row: <paramref name="score"/> of the input minus that of the
    /// copy with the patch at row i, column j, computed <paramref name="batchSize"/> copies at a time.
    /// </summary>
    /// <param name="input">[1, C, H, W] one input.</param>
    /// <param name="score">Scores a batch of inputs: [B, C, H, W] to B values.</param>
    /// <param name="patch">The patch's side.</param>
    /// <param name="stride">The step between patches.</param>
    /// <param name="fill">The patch's value.</param>
    /// <param name="batchSize">Copies per forward pass.</param>
    /// <param name="run">Progress and cancellation (its batch size is not read).</param>
    /// <returns>The drops on the grid of patch positions (columns x rows).</returns>
    public static Heatmap Drops(Tensor input, Func<Tensor, float[]> score, int patch, int stride, float fill,
        int batchSize, RunOptions? run = null)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(score);
        (int rows, int columns) = Positions(input, patch, stride);
        float original = score(input)[0];
        var drops = new float[rows * columns];
        foreach ((long first, int count) in PerturbationBatches.Of(drops.Length, batchSize, "occlusion",
            run ?? RunOptions.Default))
        {
            using var scope = NewDisposeScope();
            float[] scores = score(Occluded(input, first, count, patch, stride, fill));
            for (int k = 0; k < count; k++) drops[first + k] = original - scores[k];
        }
        return new Heatmap(columns, rows, drops);
    }

    /// <summary>The rows and columns of patch positions on <paramref name="input"/>.</summary>
    private static (int Rows, int Columns) Positions(Tensor input, int patch, int stride) =>
        ((int)Math.Max(1, (input.shape[2] - patch) / stride + 1),
            (int)Math.Max(1, (input.shape[3] - patch) / stride + 1));

    /// <summary>[count, C, H, W] copies of <paramref name="input"/> with the patch at positions start, start + 1,
    /// ..., row by row.</summary>
    private static Tensor Occluded(Tensor input, long start, int count, int patch, int stride, float fill)
    {
        long height = input.shape[2], width = input.shape[3];
        int columns = Positions(input, patch, stride).Columns;
        Tensor batch = input.repeat(count, 1, 1, 1);
        for (int k = 0; k < count; k++)
        {
            long row = (start + k) / columns, column = (start + k) % columns;
            long top = row * stride, left = column * stride;
            batch[k].narrow(1, top, Math.Min(patch, height - top)).narrow(2, left, Math.Min(patch, width - left))
                .fill_(fill);
        }
        return batch;
    }

    /// <summary>
    /// The explanation of each entry; a sample's score drops are computed once for every class its targets ask in the
    /// pass.
    /// </summary>
    internal override IReadOnlyList<Explanation> Interpret(PassResult pass, ScoreColumn column,
        ColumnGradients gradients) =>
        column.Entries.Select(entry =>
        {
            int classIndex = entry.ClassIndex
                ?? throw new UsageException("occlusion scores occluded inputs per class: use class or top-k targets");
            using var noGrad = no_grad();
            Tensor input = pass.Input.narrow(0, entry.Sample, 1);
            (int side, int step) = patch > 0 ? (patch, Math.Max(1, patch / 2)) : DefaultPatch(pass.Height, pass.Width);
            if (stride > 0) step = stride;
            (int rows, int columns) = Positions(input, side, step);
            Tensor Forward(Tensor batch) => Model.Forward(batch, ForwardTaps.None);
            // [positions, classes]: the unoccluded scores minus each occluded copy's.
            Tensor Drops(IReadOnlyList<int> classes) =>
                Forward(input).reshape(1, -1).index_select(1, tensor(classes.Select(c => (long)c).ToArray()))
                - PerturbationBatches.Scores(rows * columns, PerturbationBatches.SizeFor(pass.Run, input, Model), Name,
                    pass.Run, (start, count) => Occluded(input, start, count, side, step, fill), Forward, classes);
            Tensor drops = pass.Perturbed.Of(Name, entry.Sample, classIndex, pass.SampleClasses[entry.Sample], Drops);
            var grid = new Heatmap(columns, rows, drops.to(ScalarType.Float32).contiguous().data<float>().ToArray());
            Heatmap map = Spread(grid, side, step, (int)pass.Width, (int)pass.Height);
            return entry.Explained(Name, GuidedBackprop.InputLayer, Normalised(map)) with { RawMap = map };
        }).ToList();

    /// <summary>Each pixel: the mean drop of the patches that cover it (0 where none does).</summary>
    private static Heatmap Spread(Heatmap grid, int patch, int stride, int width, int height)
    {
        var sum = new float[width * height];
        var count = new int[width * height];
        for (int row = 0; row < grid.Height; row++)
        {
            for (int column = 0; column < grid.Width; column++)
            {
                int top = row * stride, left = column * stride;
                for (int y = top; y < Math.Min(top + patch, height); y++)
                {
                    for (int x = left; x < Math.Min(left + patch, width); x++)
                    {
                        sum[y * width + x] += grid[column, row];
                        count[y * width + x]++;
                    }
                }
            }
        }
        for (int i = 0; i < sum.Length; i++) sum[i] = count[i] > 0 ? sum[i] / count[i] : 0;
        return new Heatmap(width, height, sum);
    }

    /// <summary>Positive drops scaled to [0, 1]: what raised the score when visible.</summary>
    private static Heatmap Normalised(Heatmap map)
    {
        float max = map.Values.Max();
        return new Heatmap(map.Width, map.Height,
            map.Values.Select(v => max > 0 ? Math.Max(0, v) / max : 0).ToArray());
    }
}
