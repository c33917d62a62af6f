using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace GradCamSharp.VisionLanguage;

/// <summary>
/// The trainable part of a captioner or VQA model, saved and loaded as one TorchSharp weights file: the head, and the
/// shape world's encoder where it is trained with it (the photo world's ResNet18 stays frozen outside).
/// </summary>
internal sealed class VisionLanguageNetwork : Module
{
#pragma warning disable IDE1006, CA1051 // TorchSharp registers submodules by field name.
    private readonly Module<Tensor, Tensor>? encoder;
    private readonly Module<Tensor, Tensor, Tensor> head;
#pragma warning restore IDE1006, CA1051

    public VisionLanguageNetwork(Module<Tensor, Tensor>? encoder, Module<Tensor, Tensor, Tensor> head)
        : base(nameof(VisionLanguageNetwork))
    {
        this.encoder = encoder;
        this.head = head;
        RegisterComponents();
    }

    /// <summary>The trained encoder, or null when the encoder is frozen and lives outside.</summary>
    public Module<Tensor, Tensor>? Encoder => encoder;

    /// <summary>A VQA head (<see cref="IQuestionAnswerer"/>) or a <see cref="CaptionDecoderHead"/>.</summary>
    public Module<Tensor, Tensor, Tensor> Head => head;
}
