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
public sealed class CaptionHead : Module<Tensor, Tensor, Tensor>
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

    /// <summary>
    /// Logits [N, T + 1, V] for [N, C, h, w] features and [N, T] caption word ids: position t predicts word t from
    /// the words before it, position T predicts the end.
    /// </summary>
    public override Tensor forward(Tensor features, Tensor words)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(words);
        using var scope = NewDisposeScope();
        if (words.shape[0] != features.shape[0]) words = words.expand(features.shape[0], -1);
        Decoder decoder = Begin(features);
        Tensor previous = full(features.shape[0], Vocabulary.StartId, dtype: ScalarType.Int64);
        var logits = new List<Tensor>();
        for (int t = 0; t <= words.shape[1]; t++)
        {
            logits.Add(decoder.Step(previous));
            if (t < words.shape[1]) previous = words.select(1, t);
        }
        return stack(logits, 1).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Greedy decoding: the most likely next word each time, up to <paramref name="maxWords"/> words.
    /// </summary>
    /// <returns>Per sample, the word ids without start or end.</returns>
    public IReadOnlyList<int[]> Generate(Tensor features, int maxWords)
    {
        ArgumentNullException.ThrowIfNull(features);
        using var scope = NewDisposeScope();
        using var noGradient = no_grad();
        long n = features.shape[0];
        Decoder decoder = Begin(features);
        Tensor previous = full(n, Vocabulary.StartId, dtype: ScalarType.Int64);
        var chosen = new List<long[]>();
        for (int t = 0; t <= maxWords; t++)
        {
            previous = decoder.Step(previous).argmax(-1);
            chosen.Add(previous.data<long>().ToArray());
        }
        return Enumerable.Range(0, (int)n).Select(i => chosen.Select(step => (int)step[i])
            .TakeWhile(id => id != Vocabulary.EndId).Take(maxWords).ToArray()).ToArray();
    }

    private Decoder Begin(Tensor features)
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
    {
        public Tensor Step(Tensor previousWord)
        {
            Tensor energy = head.score.call((keys + head.query.call(hidden).unsqueeze(1)).tanh()).squeeze(-1);
            Tensor context = energy.softmax(-1).unsqueeze(1).bmm(cells).squeeze(1);
            (hidden, memory) = head.cell.call(cat([head.embed.call(previousWord), context], 1), (hidden, memory));
            return head.output.call(cat([hidden, context], 1));
        }
    }
}
