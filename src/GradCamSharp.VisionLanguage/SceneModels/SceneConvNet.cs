using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace GradCamSharp.VisionLanguage.SceneModels;

/// <summary>
/// The CNN a <see cref="SceneTransformer"/> is compared with on the same task: the shape world's encoder (four 3x3
/// convolutions, a 16x16 map of 96 features; <see cref="ShapeEncoder"/>), global max pooling and a linear head.
/// Max pooling, as in weakly supervised localisation (Oquab et al., CVPR 2015), because an object covers a few cells
/// of the map: averaged over all 256, its features are too faint to learn from (trained the same way, the average
/// got 0.7% of held-out label sets right where the maximum got 56%).
/// </summary>
internal sealed class SceneConvNet : Module<Tensor, Tensor>
{
    private readonly Module<Tensor, Tensor> encoder;
    private readonly TorchSharp.Modules.Linear head;

    /// <summary>A freshly initialised model (seed it with <c>torch.random.manual_seed</c> first).</summary>
    public SceneConvNet(int classes) : base(nameof(SceneConvNet))
    {
        encoder = ShapeEncoder.Create();
        head = Linear(ShapeEncoder.Channels, classes);
        RegisterComponents();
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor input) => head.call(encoder.call(input).amax([2, 3]));
}
