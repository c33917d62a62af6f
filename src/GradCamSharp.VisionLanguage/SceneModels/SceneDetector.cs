using GradCamSharp.Targets;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace GradCamSharp.VisionLanguage.SceneModels;

/// <summary>
/// A small single-tensor (YOLO-style) object detector for the shape world: a <c>backbone</c> (the shape world's CNN,
/// <see cref="ShapeEncoder"/>: a 16x16 map of 96 features) and a <c>head</c> (a 3x3 convolution and ReLU, then a 1x1
/// convolution) giving each cell an objectness logit, four box terms and the 25 pairs' logits, the layout
/// <see cref="Detection.Decode"/> reads. An object is the responsibility of the cell holding its centre.
/// </summary>
internal sealed class SceneDetector : Module<Tensor, Tensor>
{
    /// <summary>The box size that tw = th = 0 means: four cells.</summary>
    public const float Anchor = 4 * ShapeEncoder.Stride;

    /// <summary>The head's hidden channels.</summary>
    public const int HeadChannels = 64;

    private readonly Module<Tensor, Tensor> backbone;
    private readonly Sequential head;

    /// <summary>A freshly initialised model (seed it with <c>torch.random.manual_seed</c> first).</summary>
    public SceneDetector(int classes) : base(nameof(SceneDetector))
    {
        backbone = ShapeEncoder.Create();
        head = Sequential(("conv1", Conv2d(ShapeEncoder.Channels, HeadChannels, 3, padding: 1)), ("relu", ReLU()),
            ("conv2", Conv2d(HeadChannels, DetectionTarget.ClassOffset + classes, 1)));
        RegisterComponents();
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor input) => head.call(backbone.call(input));
}
