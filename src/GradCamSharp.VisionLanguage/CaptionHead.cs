using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace GradCamSharp.VisionLanguage;

/// <summary>
/// Describes a feature map in words (Xu et al.'s show, attend and tell, the attention variant of the paper's
/// neuraltalk2): an LSTM starts from the strongest response of each channel; before each word it attends over the cells
/// (with their coordinates) and reads the attended cell with the previous word. Read teacher-forced, it returns the
/// logits of every next word, so a caption's log-likelihood and each word's log-probability given its prefix are
/// differentiable functions of the image features.
/// </summary>
internal sealed class CaptionHead : CaptionDecoderHead
{
    private const int EmbeddingSize = 64;
    private const int HiddenSize = 256;
    private const int AttentionSize = 128;

#pragma warning disable IDE1006, CA1051 // TorchSharp registers submodules by field name.
    private readonly Embedding embed;
    private readonly Linear initialHidden;
    private readonly Linear initialCell;
    private readonly Linear keys;
    private readonly Linear query;
    private readonly Linear score;
    private readonly LSTMCell cell;
    private readonly Linear output;
#pragma warning restore IDE1006, CA1051

    /// <summary>A freshly initialised head.</summary>
    /// <param name="featureChannels">The channels of the feature maps it reads.</param>
    /// <param name="words">The caption vocabulary's size.</param>
    public CaptionHead(int featureChannels, int words) : base(nameof(CaptionHead))
    {
        int cells = featureChannels + SpatialFeatures.CoordinateChannels;
        embed = Embedding(words, EmbeddingSize, padding_idx: Vocabulary.PaddingId);
        initialHidden = Linear(cells, HiddenSize);
        initialCell = Linear(cells, HiddenSize);
        keys = Linear(cells, AttentionSize);
        query = Linear(HiddenSize, AttentionSize);
        score = Linear(AttentionSize, 1);
        cell = LSTMCell(EmbeddingSize + cells, HiddenSize);
        output = Linear(HiddenSize + cells, words);
        RegisterComponents();
    }

    /// <inheritdoc />
    protected override ICaptionDecoder Begin(Tensor features)
    {
        Tensor cells = SpatialFeatures.WithCoordinates(features).flatten(2).transpose(1, 2);
        // The strongest response per channel (not the mean cell) starts the decoder, so that its gradient, too,
        // lands on objects rather than spreading over the background.
        Tensor strongest = cells.amax([1]);
        return new Decoder(this, cells, keys.call(cells), initialHidden.call(strongest).tanh(),
            initialCell.call(strongest).tanh());
    }

    /// <summary>The state of one decoding, one word at a time.</summary>
    private sealed class Decoder(CaptionHead head, Tensor cells, Tensor keys, Tensor hidden, Tensor memory)
        : ICaptionDecoder
    {
        /// <summary>None: this head's attention is a context for the LSTM, not the object a word names.</summary>
        public Tensor? Found => null;

        /// <summary>Carries on from the given rows' states (beam search), one row per new row.</summary>
        public void Keep(Tensor rows)
        {
            hidden = hidden.index_select(0, rows);
            memory = memory.index_select(0, rows);
        }

        public Tensor NextWord(Tensor previousWord)
        {
            Tensor energy = head.score.call((keys + head.query.call(hidden).unsqueeze(1)).tanh()).squeeze(-1);
            Tensor context = energy.softmax(-1).unsqueeze(1).bmm(cells).squeeze(1);
            (hidden, memory) = head.cell.call(cat([head.embed.call(previousWord), context], 1), (hidden, memory));
            return head.output.call(cat([hidden, context], 1));
        }
    }
}
