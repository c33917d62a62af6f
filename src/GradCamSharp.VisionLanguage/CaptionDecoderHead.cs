using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace GradCamSharp.VisionLanguage;

/// <summary>
/// A caption head that writes one word at a time: a subclass says how a decoding starts from the image features
/// (<see cref="Begin"/>); reading a caption teacher-forced, greedy decoding and beam search are shared.
/// </summary>
internal abstract class CaptionDecoderHead : Module<Tensor, Tensor, Tensor>
{
    /// <summary>Names the module (TorchSharp's registration).</summary>
    protected CaptionDecoderHead(string name) : base(name)
    {
    }

    /// <summary>
    /// Logits [N, T + 1, V] for [N, C, h, w] features and [N, T] caption word ids: position t predicts word t from
    /// the words before it, position T predicts the end.
    /// </summary>
    public override Tensor forward(Tensor features, Tensor words) => ReadTeacherForced(features, words).Logits;

    /// <summary>
    /// <see cref="forward"/>, with where the head looked before each word: [N, T + 1, h * w] attention over the
    /// cells, or null for a head that does not find one object per word.
    /// </summary>
    public (Tensor Logits, Tensor? Found) ReadTeacherForced(Tensor features, Tensor words)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(words);
        using var scope = NewDisposeScope();
        if (words.shape[0] != features.shape[0]) words = words.expand(features.shape[0], -1);
        ICaptionDecoder decoder = Begin(features);
        Tensor previous = full(features.shape[0], Vocabulary.StartId, dtype: ScalarType.Int64);
        var logits = new List<Tensor>();
        var found = new List<Tensor>();
        for (int t = 0; t <= words.shape[1]; t++)
        {
            logits.Add(decoder.NextWord(previous));
            if (decoder.Found is { } where) found.Add(where);
            if (t < words.shape[1]) previous = words.select(1, t);
        }
        return (stack(logits, 1).MoveToOuterDisposeScope(),
            found.Count == 0 ? null : stack(found, 1).MoveToOuterDisposeScope());
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
        ICaptionDecoder decoder = Begin(features);
        Tensor previous = full(n, Vocabulary.StartId, dtype: ScalarType.Int64);
        var chosen = new List<long[]>();
        for (int t = 0; t <= maxWords; t++)
        {
            previous = decoder.NextWord(previous).argmax(-1);
            chosen.Add(previous.data<long>().ToArray());
        }
        return Enumerable.Range(0, (int)n).Select(i => chosen.Select(step => (int)step[i])
            .TakeWhile(id => id != Vocabulary.EndId).Take(maxWords).ToArray()).ToArray();
    }

    private int[] BeamSearch(Tensor features, int maxWords, int width)
    {
        ICaptionDecoder decoder = Begin(features.expand(width, -1, -1, -1));
        // Every row of the decoder starts from the same state; only the first counts until the first step fans out.
        var live = new List<(int[] Words, double LogProbability)> { ([], 0) };
        var finished = new List<(int[] Words, double Mean)>();
        Tensor previous = full(width, Vocabulary.StartId, dtype: ScalarType.Int64);
        for (int t = 0; t <= maxWords && live.Count > 0; t++)
        {
            float[] logProbabilities = decoder.NextWord(previous).log_softmax(-1).data<float>().ToArray();
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

    /// <summary>A decoding of <paramref name="features"/> [N, C, h, w], before its first word.</summary>
    protected abstract ICaptionDecoder Begin(Tensor features);

    /// <summary>The state of one decoding, one word at a time.</summary>
    protected interface ICaptionDecoder
    {
        /// <summary>Next-word logits [N, V] after <paramref name="previousWord"/> [N]; moves on by that word.</summary>
        Tensor NextWord(Tensor previousWord);

        /// <summary>Carries on from the given rows' states (beam search), one row per new row.</summary>
        void Keep(Tensor rows);

        /// <summary>The attention over the cells [N, h * w] of the last word, where the head finds one.</summary>
        Tensor? Found { get; }
    }
}
