using GradCamSharp.Models;
using static TorchSharp.torch;

namespace GradCamSharp.Methods;

/// <summary>
/// SmoothGrad (Smilkov et al., SmoothGrad: removing noise by adding noise, 2017, eq. 3): the vanilla gradient averaged
/// over copies of the input with Gaussian noise of standard deviation <c>noiseLevel</c> times the input's range. The
/// noise is seeded, so a map is reproducible.
/// </summary>
/// <param name="model">The model.</param>
/// <param name="samples">How many noisy copies (the paper uses about 50; 25 is enough for a stable map).</param>
/// <param name="noiseLevel">The noise's standard deviation as a fraction of the input's range (paper: 10-20%).</param>
/// <param name="seed">The noise's seed.</param>
public sealed class SmoothGrad(IExplainableModel model, int samples = 25, float noiseLevel = 0.15f, long seed = 0)
    : InputAttributionMethod(model)
{
    /// <inheritdoc />
    public override string Name => "smoothgrad";

    /// <inheritdoc />
    protected override Tensor Attribute(Tensor input, int classIndex, RunOptions run)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(samples, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(noiseLevel);
        float sigma = noiseLevel * (input.max() - input.min()).item<float>();
        using var generator = new Generator((ulong)seed);
        Tensor noise = randn([samples, .. input.shape[1..]], generator: generator, dtype: input.dtype) * sigma;
        return Gradients(input + noise, classIndex, run).mean([0]);
    }
}
