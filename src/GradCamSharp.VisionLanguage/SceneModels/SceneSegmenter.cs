using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace GradCamSharp.VisionLanguage.SceneModels;

/// <summary>
/// A small semantic segmenter for the shape world, laid out as torchvision's FCN: a <c>backbone</c> (the shape world's
/// CNN, <see cref="ShapeEncoder"/>: a 16x16 map of 96 features, each cell seeing a whole object), a <c>classifier</c>
/// (a 1x1 convolution to the background and the 25 colour-and-shape pairs) and bilinear upsampling to the input's
/// size. Its automatic layer is the backbone's last ReLU, as for torchvision's segmenters.
/// </summary>
internal sealed class SceneSegmenter : Module<Tensor, Tensor>
{
    private readonly Module<Tensor, Tensor> backbone;
    private readonly Conv2d classifier;

    /// <summary>A freshly initialised model (seed it with <c>torch.random.manual_seed</c> first).</summary>
    public SceneSegmenter(int classes) : base(nameof(SceneSegmenter))
    {
        backbone = ShapeEncoder.Create();
        classifier = Conv2d(ShapeEncoder.Channels, classes, 1);
        RegisterComponents();
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor input) => functional.interpolate(classifier.call(backbone.call(input)),
        scale_factor: [ShapeEncoder.Stride, ShapeEncoder.Stride], mode: InterpolationMode.Bilinear,
        align_corners: false);
}
