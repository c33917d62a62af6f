using GradCamSharp.Maps;
using GradCamSharp.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace GradCamSharp.Methods;

/// <summary>
/// FullGrad (Srinivas and Fleuret, Full-Gradient Representation, NeurIPS 2019): the saliency
/// psi(|grad_x f * x|) + sum over layers and channels of psi(|grad_b f * b|), where grad_b f * b is each layer's bias
/// times the score's gradient at its output (<see cref="FullGradients"/>) and psi takes the magnitude, scales each
/// layer's part to [0, 1] and upsamples it to the input. Unlike a CAM method it reads no one target layer but every
/// layer with a bias (<see cref="IExplainableModel.LayerBiases()"/>): the gradients at all of them come from one
/// backward pass, through a zero probe added to each layer's output. Layers without a spatial map (a linear head) count
/// in the decomposition, not in the map, as in the paper.
/// </summary>
public sealed class FullGrad(IExplainableModel model) : Explainer(model)
{
    /// <inheritdoc />
    public override string Name => "fullgrad";

    internal override string? RequestedLayer => null;

    internal override bool NeedsLayerGradient => false;

    internal override bool NeedsPixelGradient => false;

    /// <summary>What <see cref="MethodDescriptor.Obstacle"/> says of a model that lists no layer with a bias.</summary>
    public const string NoBiasObstacle = "FullGrad reads the bias of every layer that has one, and this model lists " +
        "none (an imported ONNX graph lists its Conv, Gemm and BatchNormalization biases)";

    /// <summary>
    /// The full-gradient decomposition of class <paramref name="classIndex"/>'s score for every sample of
    /// <paramref name="input"/>: one forward pass with a zero probe added at each layer with a bias, one backward pass.
    /// </summary>
    /// <param name="model">The model.</param>
    /// <param name="input">[N, C, H, W] model input.</param>
    /// <param name="classIndex">The class whose score is decomposed.</param>
    /// <exception cref="UsageException">The model lists no layer with a bias.</exception>
    public static FullGradients Decompose(IExplainableModel model, Tensor input, int classIndex)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(input);
        IReadOnlyList<LayerBias> biases = model.LayerBiases();
        if (biases.Count == 0) throw new UsageException(NoBiasObstacle);
        var biasOf = biases.ToDictionary(b => b.Layer, b => b.Bias, StringComparer.Ordinal);
        using DisposeScope scope = NewDisposeScope();
        using IDisposable gradientMode = enable_grad();
        Tensor pixels = input.detach().requires_grad_(true);
        var probes = new List<(string Layer, Tensor Probe)>();
        var taps = new ForwardTaps
        {
            ReplaceEveryLayerOutput = (name, value) =>
            {
                if (!biasOf.ContainsKey(name) || probes.Any(p => p.Layer == name)) return value;
                // A zero added changes nothing forward; its gradient is the score's gradient at the layer's output.
                // Ours to keep: the model's own dispose scopes end before the backward pass.
                Tensor probe = zeros_like(value).requires_grad_(true).OwnedBy(scope);
                probes.Add((name, probe));
                return value + probe;
            },
        };
        long samples = input.shape[0];
        Tensor score = model.Forward(pixels, taps).reshape(samples, -1)[.., classIndex].sum();
        IList<Tensor> gradients = autograd.grad([score], [pixels, .. probes.Select(p => p.Probe)], allow_unused: true);
        Tensor Gradient(int k, Tensor of) => gradients[k] is Tensor g && !g.IsInvalid ? g : zeros_like(of);
        var layers = new List<(string, Tensor)>();
        for (int k = 0; k < probes.Count; k++)
        {
            (string layer, Tensor probe) = probes[k];
            Tensor bias = biasOf[layer];
            long[] shape = [1, bias.numel(), .. Enumerable.Repeat(1L, (int)probe.dim() - 2)];
            layers.Add((layer, (Gradient(k + 1, probe) * bias.to(probe.dtype).reshape(shape)).detach()
                .MoveToOuterDisposeScope()));
        }
        Tensor inputPart = (Gradient(0, pixels) * pixels).detach().MoveToOuterDisposeScope();
        return new FullGradients(inputPart, layers);
    }

    internal override IReadOnlyList<Explanation> Interpret(PassResult pass, ScoreColumn column,
        ColumnGradients gradients) =>
        column.Entries.Select(entry =>
        {
            int classIndex = entry.ClassIndex
                ?? throw new UsageException($"{Name} decomposes a class score: use class or top-k targets");
            using DisposeScope scope = NewDisposeScope();
            FullGradients parts = Decompose(Model, pass.Input.narrow(0, entry.Sample, 1), classIndex);
            Tensor map = Saliency(parts.Input, pass.Height, pass.Width);
            foreach ((_, Tensor biasGradient) in parts.Layers.Where(l => l.BiasGradient.dim() == 4))
                map = map + Saliency(biasGradient, pass.Height, pass.Width);
            Tensor heat = CamMethod.UpsampleAndNormalise(map, pass.Height, pass.Width)[0];
            return entry.Explained(Name, GuidedBackprop.InputLayer, new Heatmap((int)pass.Width, (int)pass.Height,
                heat.contiguous().to(ScalarType.Float32).data<float>().ToArray()));
        }).ToList();

    /// <summary>
    /// psi of one part, [1, C, h, w] to [1, H, W]: its magnitude scaled to [0, 1] over all its channels and positions
    /// (the paper's code), summed over the channels and upsampled bilinearly to the input.
    /// </summary>
    private static Tensor Saliency(Tensor part, long height, long width)
    {
        Tensor magnitude = part.abs();
        Tensor low = magnitude.amin([1, 2, 3], keepdim: true), high = magnitude.amax([1, 2, 3], keepdim: true);
        Tensor scaled = (magnitude - low) / (high - low).clamp_min(1e-30);
        // Bilinear upsampling is linear: the channels are summed first, and only one map is upsampled.
        return nn.functional.interpolate(scaled.sum(1, keepdim: true), size: [height, width],
            mode: InterpolationMode.Bilinear, align_corners: false).squeeze(1);
    }
}
