using System.Diagnostics;
using GradCamSharp.Onnx;
using GradCamSharp.Scenes;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace GradCamSharp.VisionLanguage.VolumeModels;

/// <summary>
/// Trains the <see cref="VolumeConvNet"/> on the <see cref="VolumeWorld"/> (which kinds of solid a volume holds,
/// multi-label) and writes it as ONNX laid out as <c>torch.onnx.export</c> writes a 3-D CNN, so that it is explained
/// exactly as a user's exported model is. Seeded: the same recipe gives the same file, byte for byte.
/// </summary>
public static class VolumeModelTrainer
{
    /// <summary>The graph's input, [N, 1, D, H, W].</summary>
    public const string InputName = "volume";

    /// <summary>The graph's output, one logit per kind of solid.</summary>
    public const string OutputName = "logits";

    /// <summary>The classes, in logit order.</summary>
    public static IReadOnlyList<string> Classes => VolumeWorld.ClassNames;

    /// <summary>Trains the model <paramref name="recipe"/> describes.</summary>
    /// <param name="recipe">Volumes, epochs, seed.</param>
    /// <param name="progress">Receives a line per stage and per epoch.</param>
    /// <param name="cancellation">Stops training between steps.</param>
    /// <returns>The model as ONNX and its per-epoch report (loss; the share of held-out volumes whose set of kinds
    /// is exactly right).</returns>
    public static (byte[] Onnx, IReadOnlyList<EpochReport> Epochs) Train(VolumeModelRecipe recipe,
        IProgress<string>? progress = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(recipe);
        recipe.Validate();
        var clock = Stopwatch.StartNew();
        using var scope = NewDisposeScope();
        progress?.Report($"drawing {recipe.Volumes} training volumes (seed {recipe.Seed}) and " +
            $"{recipe.HeldOutVolumes} held-out ones (seed {recipe.HeldOutSeed})");
        (Tensor inputs, Tensor labels) = Encode(recipe.Seed, recipe.Volumes, cancellation);
        (Tensor checkInputs, Tensor checkLabels) = Encode(recipe.HeldOutSeed, recipe.HeldOutVolumes, cancellation);
        random.manual_seed(recipe.Seed);
        using var model = new VolumeConvNet(Classes.Count);
        var settings = new TrainingSettings(recipe.BatchSize, recipe.Epochs, recipe.LearningRate, 0.01, recipe.Seed);
        List<EpochReport> reports = TrainingLoop.Run(model, inputs, labels, settings,
            (logits, batch) => functional.binary_cross_entropy_with_logits(logits, batch),
            () => ExactSets(model, checkInputs, checkLabels),
            heldOut => $"held-out sets of kinds exactly right {heldOut:P1}", clock, progress, cancellation);
        return (Export(model), reports);
    }

    /// <summary>A volume as the model's input, [1, 1, D, H, W].</summary>
    public static Tensor Input(VolumeScene volume)
    {
        ArgumentNullException.ThrowIfNull(volume);
        const int size = VolumeWorld.Size;
        return tensor(volume.Voxels).reshape(1, 1, size, size, size);
    }

    /// <summary>Which kinds of solid the volume holds, one 0/1 per class.</summary>
    public static float[] Labels(VolumeScene volume)
    {
        ArgumentNullException.ThrowIfNull(volume);
        return [.. Enumerable.Range(0, Classes.Count).Select(k => volume.Contains(k) ? 1f : 0f)];
    }

    private static (Tensor Inputs, Tensor Labels) Encode(int seed, int count, CancellationToken cancellation)
    {
        const int size = VolumeWorld.Size;
        var voxels = new float[(long)count * size * size * size];
        var labels = new float[count * Classes.Count];
        Parallel.For(0, count, new ParallelOptions { CancellationToken = cancellation }, i =>
        {
            VolumeScene volume = VolumeWorld.Generate(seed, i);
            volume.Voxels.CopyTo(voxels, (long)i * volume.Voxels.Length);
            Labels(volume).CopyTo(labels, i * Classes.Count);
        });
        return (tensor(voxels).reshape(count, 1, size, size, size), tensor(labels).reshape(count, Classes.Count));
    }

    /// <summary>The share of volumes whose predicted set of kinds (logit above 0) is exactly the truth.</summary>
    internal static double ExactSets(Module<Tensor, Tensor> model, Tensor inputs, Tensor labels)
    {
        using var scope = NewDisposeScope();
        using var noGradient = no_grad();
        model.eval();
        long right = 0;
        for (long start = 0; start < inputs.shape[0]; start += 64)
        {
            long length = Math.Min(inputs.shape[0] - start, 64);
            Tensor predicted = model.call(inputs.narrow(0, start, length)).gt(0).to(ScalarType.Float32);
            right += predicted.eq(labels.narrow(0, start, length)).all(1).sum().item<long>();
        }
        return right / (double)inputs.shape[0];
    }

    /// <summary>
    /// The model as ONNX: Conv, Relu and MaxPool nodes named by module as torch.onnx.export names them
    /// (<c>/conv4/Conv</c>, <c>/relu4/Relu</c>), then GlobalMaxPool, Flatten and the head's Gemm.
    /// </summary>
    internal static byte[] Export(VolumeConvNet model)
    {
        using var scope = NewDisposeScope();
        using var noGradient = no_grad();
        Dictionary<string, Tensor> weights = model.state_dict();
        var writer = new OnnxGraphWriter("volumes-cnn");
        string x = InputName;
        for (int i = 1; i <= VolumeConvNet.Channels.Length; i++)
        {
            string conv = $"convolutions.{i - 1}";
            x = writer.Conv($"/conv{i}/Conv", x, conv + ".weight", weights[conv + ".weight"], weights[conv + ".bias"],
                padding: 1);
            x = writer.Node($"/relu{i}/Relu", "Relu", [x]);
            if (VolumeConvNet.PooledAfter.Contains(i))
            {
                x = writer.Node($"/pool{i}/MaxPool", "MaxPool", [x], OnnxSetting.Integers("kernel_shape", 2, 2, 2),
                    OnnxSetting.Integers("strides", 2, 2, 2), OnnxSetting.Integers("pads", 0, 0, 0, 0, 0, 0));
            }
        }
        x = writer.Node("/GlobalMaxPool", "GlobalMaxPool", [x]);
        x = writer.Node("/Flatten", "Flatten", [x], OnnxSetting.Whole("axis", 1));
        x = writer.Node("/head/Gemm", "Gemm", [x, writer.Weight("head.weight", weights["head.weight"]),
            writer.Weight("head.bias", weights["head.bias"])], [OutputName], OnnxSetting.Whole("transB", 1))[0];
        return writer.ToBytes(InputName, [null, 1, null, null, null], x, [null, Classes.Count]);
    }
}
