using GradCamSharp.Imaging;
using GradCamSharp.Models;
using static TorchSharp.torch;

namespace GradCamSharp.VisionLanguage;

/// <summary>
/// A model that describes an image in words: it writes captions (greedily or by beam search) and, with a caption held
/// fixed (teacher-forced), is an <see cref="IExplainableModel"/> whose targets are the caption's and each word's
/// log-probability (<see cref="VisionLanguageTargets"/>).
/// </summary>
public sealed class Captioner : VisionLanguageModel
{
    internal Captioner(VisionLanguageFile file, VisionLanguageNetwork network, IExplainableModel encoder,
        Preprocessing preprocessing, string encoderLayer)
        : base(file, network, encoder, preprocessing, encoderLayer)
    {
    }

    /// <inheritdoc />
    public override string Kind => "captioner";

    /// <summary>The ids of <paramref name="caption"/>, or a usage error (unknown word, empty, too long).</summary>
    public int[] EncodeCaption(string caption) => Vocabulary.Encode(caption, File.MaxWords, "caption");

    /// <summary>
    /// The model's caption for each image of <paramref name="input"/>: greedy decoding for a beam width of 1, beam
    /// search otherwise.
    /// </summary>
    /// <exception cref="UsageException">A beam width out of range.</exception>
    public IReadOnlyList<string> Caption(Tensor input, int beamWidth = 1)
    {
        if (beamWidth is < 1 or > MaxBeamWidth)
            throw new UsageException($"the beam width must lie in 1..{MaxBeamWidth}, got {beamWidth}");
        using var scope = NewDisposeScope();
        var head = (CaptionDecoderHead)Network.Head;
        return head.Generate(Features(input), File.MaxWords, beamWidth).Select(Vocabulary.Decode).ToArray();
    }

    /// <summary>
    /// The model reading <paramref name="caption"/> teacher-forced: image in, [N, words + 1, V] logits out, position
    /// t predicting word t and the last position the end (see <see cref="Targets.SequenceTarget"/>).
    /// </summary>
    public IExplainableModel ForCaption(int[] caption)
    {
        ArgumentNullException.ThrowIfNull(caption);
        int[] ids = [.. caption];
        var head = new TorchModuleModel(Network.Head, features =>
        {
            using Tensor words = tensor(ids.Select(i => (long)i).ToArray()).unsqueeze(0);
            return Network.Head.call(features, words);
        }, name: "captioner", leaveOpen: true);
        return new EncoderHeadModel(Encoder, head, leaveOpen: true);
    }
}
