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
    /// Decodes a caption per image: greedy (the likeliest next word each time) for a width of 1, otherwise beam
    /// search keeping the <paramref name="beamWidth"/> likeliest partial captions and returning the finished one with
    /// the best mean log-probability per word (the end included), so that longer captions are not penalised for
    /// their length alone.
    /// </summary>
    /// <param name="features">[N, C, h, w] image features.</param>
    /// <param name="maxWords">The most words of a caption.</param>
    /// <param name="beamWidth">Partial captions kept at each step; 1 decodes greedily.</param>
    /// <returns>Per sample, the word ids without start or end.</returns>
    public IReadOnlyList<int[]> Generate(Tensor features, int maxWords, int beamWidth = 1)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentOutOfRangeException.ThrowIfLessThan(beamWidth, 1);
        using var scope = NewDisposeScope();
        using var noGradient = no_grad();
        if (beamWidth > 1)
            return [.. Enumerable.Range(0, (int)features.shape[0]).Select(i =>
                BeamSearch(features.narrow(0, i, 1), maxWords, beamWidth))];
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

    private int[] BeamSearch(Tensor features, int maxWords, int width)
    {
        Decoder decoder = Begin(features.expand(width, -1, -1, -1));
        // Every row of the decoder starts from the same state; only the first counts until the first step fans out.
        var live = new List<(int[] Words, double LogProbability)> { ([], 0) };
        var finished = new List<(int[] Words, double Mean)>();
        Tensor previous = full(width, Vocabulary.StartId, dtype: ScalarType.Int64);
        for (int t = 0; t <= maxWords && live.Count > 0; t++)
        {
            float[] logProbabilities = decoder.Step(previous).log_softmax(-1).data<float>().ToArray();
            int words = logProbabilities.Length / width;
            var candidates = new List<(int Beam, int Word, double LogProbability)>();
            for (int beam = 0; beam < live.Count; beam++)
            {
                for (int word = 0; word < words; word++)
                {
                    if (word == Vocabulary.PaddingId || word == Vocabulary.StartId) continue;
                    // At the length limit a caption can only end.
                    if (t == maxWords && word != Vocabulary.EndId) continue;
                    candidates.Add((beam, word, live[beam].LogProbability + logProbabilities[beam * words + word]));
                }
            }
            var next = new List<(int Beam, int Word, double LogProbability)>();
            foreach (var candidate in candidates.OrderByDescending(c => c.LogProbability))
            {
                if (next.Count == width) break;
                int[] prefix = live[candidate.Beam].Words;
                if (candidate.Word == Vocabulary.EndId)
                {
                    finished.Add((prefix, candidate.LogProbability / (prefix.Length + 1)));
                    if (finished.Count >= width) break;
                }
                else
                {
                    next.Add(candidate);
                }
            }
            if (finished.Count >= width) break;
            live = [.. next.Select(c => ((int[])[.. live[c.Beam].Words, c.Word], c.LogProbability))];
            if (live.Count == 0) break;
            // The decoder keeps its width; rows past the live captions repeat the last one and are never read.
            var rows = Enumerable.Range(0, width).Select(row => next[Math.Min(row, next.Count - 1)]).ToArray();
            decoder.Keep(tensor(rows.Select(r => (long)r.Beam).ToArray()));
            previous = tensor(rows.Select(r => (long)r.Word).ToArray());
        }
        return finished.Count > 0 ? finished.MaxBy(f => f.Mean).Words : live.MaxBy(l => l.LogProbability).Words;
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
        /// <summary>Carries on from the given rows' states (beam search), one row per new row.</summary>
        public void Keep(Tensor rows)
        {
            hidden = hidden.index_select(0, rows);
            memory = memory.index_select(0, rows);
        }

        public Tensor Step(Tensor previousWord)
        {
            Tensor energy = head.score.call((keys + head.query.call(hidden).unsqueeze(1)).tanh()).squeeze(-1);
            Tensor context = energy.softmax(-1).unsqueeze(1).bmm(cells).squeeze(1);
            (hidden, memory) = head.cell.call(cat([head.embed.call(previousWord), context], 1), (hidden, memory));
            return head.output.call(cat([hidden, context], 1));
        }
    }
}
