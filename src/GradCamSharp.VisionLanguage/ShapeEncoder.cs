using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace GradCamSharp.VisionLanguage;

/// <summary>
/// The shape world's image encoder, trained from scratch: four 3x3 convolutions with ReLUs, the first three batch
/// normalised (strides 2, 2, 2, 1; the last dilated so that each cell sees 47 pixels, a whole object), so a 128x128
/// scene becomes a 16x16 map of features. Its last ReLU, <c>relu4</c>, is the layer the paper
/// would explain (the CNN's last convolutional layer).
/// </summary>
internal static class ShapeEncoder
{
    /// <summary>The features per cell of the encoder's output.</summary>
    public const int Channels = 96;

    /// <summary>
    /// The features per cell of an encoder made by concept pretraining of separate concepts: a group of 8 for each of
    /// the shape world's 5 colours and 5 shapes.
    /// </summary>
    public const int ConceptChannels = 80;

    /// <summary>
    /// The features per cell of an encoder made by concept pretraining of paired concepts: a group of 4 for each of
    /// the shape world's 25 colour-and-shape pairs.
    /// </summary>
    public const int PairedConceptChannels = 100;

    /// <summary>Pixels per cell of the encoder's map along each side (three stride-2 convolutions).</summary>
    public const int Stride = 8;

    /// <summary>The name of the convolution before <see cref="OutputLayer"/>.</summary>
    public const string LastConvolution = "conv4";

    /// <summary>The name of the encoder's output layer.</summary>
    public const string OutputLayer = "relu4";

    /// <summary>The output features of the encoder <paramref name="recipe"/> trains.</summary>
    public static int ChannelsFor(VisionLanguageRecipe recipe)
    {
        ArgumentNullException.ThrowIfNull(recipe);
        if (recipe.ConceptEpochs == 0) return Channels;
        return recipe.Concepts == VisionLanguageRecipe.PairedConcepts ? PairedConceptChannels : ConceptChannels;
    }

    /// <summary>A freshly initialised encoder (seed it with <c>torch.manual_seed</c> first).</summary>
    /// <param name="channels">Its output features.</param>
    public static Module<Tensor, Tensor> Create(int channels = Channels) => Sequential(
        ("conv1", Conv2d(3, 24, 3, stride: 2, padding: 1, bias: false)),
        ("norm1", BatchNorm2d(24)),
        ("relu1", ReLU()),
        ("conv2", Conv2d(24, 48, 3, stride: 2, padding: 1, bias: false)),
        ("norm2", BatchNorm2d(48)),
        ("relu2", ReLU()),
        ("conv3", Conv2d(48, 64, 3, stride: 2, padding: 1, bias: false)),
        ("norm3", BatchNorm2d(64)),
        ("relu3", ReLU()),
        // No normalisation before the last ReLU: centred features would be active on half of every background, and
        // Grad-CAM's weighted sum of them would light the background too.
        (LastConvolution, Conv2d(64, channels, 3, stride: 1, padding: 2, dilation: 2)),
        ("relu4", ReLU()));
}
