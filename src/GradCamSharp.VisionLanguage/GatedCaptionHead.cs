using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace GradCamSharp.VisionLanguage;

/// <summary>
/// Describes a feature map in words, one object at a time, so that each word's evidence is the object it names: an
/// LSTM reads the words so far and where the last object was found, never the features themselves; before each word
/// a hard attention (Xu et al.'s hard variant) picks the cell of the object to speak of, left to right, and the word is
/// read from the 3x3 cells around it, each channel weighted by itself (a channel absent there gives no evidence and
/// gets no gradient), by weights the state chooses. Words that need more than one object ("," or "and", the end) see
/// whether anything lies in a region the state picks (beyond the object, say), through one objectness channel; words
/// about positions ("above") compare the found object's place with the last one's.
/// </summary>
/// <remarks>
/// Why: Grad-CAM weighs each channel by its mean gradient, so a word's map lights every object whose channels the
/// word's gradient reaches. In <see cref="CaptionHead"/> every attended context enters the LSTM, so "star" at the end
/// of a caption still draws gradient from the objects named before it; a soft attention here, too, passed gradient
/// through its weights to every object its keys could see (Grad-CAM pointing fell from 0.86 to 0.51 as training went
/// on). The hard choice passes none, so a word reaches the image only through what it reads at the found object:
/// over an encoder whose channels each stand for one colour-and-shape pair, "red" in "a red circle above a red star"
/// weighs the red circle's channels alone. The choice is taught by find supervision
/// (<see cref="VisionLanguageRecipe.FindSupervision"/>): its softmax should put its mass on the object ahead.
/// </remarks>
internal sealed class GatedCaptionHead : CaptionDecoderHead
{
    private const int EmbeddingSize = 64;
    private const int HiddenSize = 128;
    // Finding is evaluated at every cell for every word, and 128 wide it was most of a training step's time (12
    // minutes in all, 7 at 64, to the same word accuracy); the place attention is cheap, and narrowed too it left more
    // fourth objects unnamed.
    private const int FindSize = 64;
    private const int PlaceSize = 128;

#pragma warning disable IDE1006, CA1051 // TorchSharp registers submodules by field name.
    private readonly Embedding embed;
    private readonly Linear recall;
    private readonly LSTMCell cell;
    private readonly Linear findCells;
    private readonly Linear findState;
    private readonly Linear findBeside;
    private readonly Linear findScore;
    private readonly Linear locate;
    private readonly Linear relate;
    private readonly Linear language;
    private readonly Linear read;
    private readonly Linear objectness;
    private readonly Linear placeCells;
    private readonly Linear placeState;
    private readonly Linear placeScore;
    private readonly Linear beyond;
#pragma warning restore IDE1006, CA1051

    private readonly int _channels;

    /// <summary>A freshly initialised head.</summary>
    /// <param name="featureChannels">The channels of the feature maps it reads.</param>
    /// <param name="words">The caption vocabulary's size.</param>
    public GatedCaptionHead(int featureChannels, int words) : base(nameof(GatedCaptionHead))
    {
        _channels = featureChannels;
        int coordinates = SpatialFeatures.CoordinateChannels;
        embed = Embedding(words, EmbeddingSize, padding_idx: Vocabulary.PaddingId);
        recall = Linear(coordinates, EmbeddingSize);
        cell = LSTMCell(2 * EmbeddingSize, HiddenSize);
        findCells = Linear(featureChannels + coordinates, FindSize);
        findState = Linear(HiddenSize, FindSize);
        findBeside = Linear(coordinates, FindSize);
        findScore = Linear(FindSize, 1);
        locate = Linear(coordinates, HiddenSize);
        relate = Linear(HiddenSize, HiddenSize);
        language = Linear(HiddenSize, words);
        read = Linear(HiddenSize, words * featureChannels);
        objectness = Linear(featureChannels, 1);
        placeCells = Linear(coordinates, PlaceSize);
        placeState = Linear(HiddenSize, PlaceSize);
        placeScore = Linear(PlaceSize, 1);
        beyond = Linear(HiddenSize, words);
        RegisterComponents();
    }

    /// <inheritdoc />
    protected override ICaptionDecoder Begin(Tensor features)
    {
        Tensor cells = features.flatten(2).transpose(1, 2);
        Tensor coordinates = SpatialFeatures.WithCoordinates(features).flatten(2).transpose(1, 2)
            .narrow(2, features.shape[1], SpatialFeatures.CoordinateChannels);
        Tensor keys = findCells.call(cat([cells, coordinates], 2));
        Tensor places = placeCells.call(coordinates);
        Tensor objects = functional.relu(objectness.call(cells)).squeeze(-1);
        long n = features.shape[0];
        return new Decoder(this, cells, coordinates, keys, places, objects,
            Neighbourhoods((int)features.shape[2], (int)features.shape[3]), zeros(n, HiddenSize),
            zeros(n, HiddenSize), zeros(n, SpatialFeatures.CoordinateChannels));
    }

    /// <summary>
    /// [h * w, h * w]: row i spreads an equal weight over cell i and the cells around it (3x3, fewer at the border),
    /// the window a found object is read from.
    /// </summary>
    private static Tensor Neighbourhoods(int height, int width)
    {
        int count = height * width;
        var weights = new float[count * count];
        for (int cell = 0; cell < count; cell++)
        {
            int y = cell / width, x = cell % width;
            int[] around = [.. Enumerable.Range(Math.Max(0, y - 1), Math.Min(height, y + 2) - Math.Max(0, y - 1))
                .SelectMany(v => Enumerable.Range(Math.Max(0, x - 1), Math.Min(width, x + 2) - Math.Max(0, x - 1))
                    .Select(u => v * width + u))];
            foreach (int other in around) weights[cell * count + other] = 1f / around.Length;
        }
        return tensor(weights).view(count, count);
    }

    /// <summary>
    /// One decoding: the LSTM state, its memory and the last found position, per row; the per-image keys are computed
    /// once.
    /// </summary>
    private sealed class Decoder(GatedCaptionHead head, Tensor cells, Tensor coordinates, Tensor keys, Tensor places,
        Tensor objects, Tensor neighbourhoods, Tensor hidden, Tensor memory, Tensor position) : ICaptionDecoder
    {
        public Tensor? Found { get; private set; }

        public void Keep(Tensor rows)
        {
            hidden = hidden.index_select(0, rows);
            memory = memory.index_select(0, rows);
            position = position.index_select(0, rows);
        }

        public Tensor NextWord(Tensor previousWord)
        {
            Tensor input = cat([head.embed.call(previousWord), head.recall.call(position).tanh()], 1);
            (hidden, memory) = head.cell.call(input, (hidden, memory));
            // Find the object to speak of (hard attention, as in Xu et al.'s hard variant): the likeliest cell and the
            // cells around it. The choice itself passes no gradient; the distribution learns from find supervision.
            // Each cell is also seen from the last found object (to its right, below it), since captions read left
            // to right.
            Tensor beside = head.findBeside.call(coordinates - position.unsqueeze(1));
            Found = head.findScore.call((keys + beside + head.findState.call(hidden).unsqueeze(1)).tanh()).squeeze(-1)
                .softmax(-1);
            Tensor window = neighbourhoods.index_select(0, Found.argmax(-1)).unsqueeze(1);
            position = window.bmm(coordinates).squeeze(1);
            Tensor state = hidden + head.locate.call(position).tanh();
            // What the found object holds, each channel weighted by itself: zero evidence, and zero gradient, from a
            // channel that is not there.
            Tensor content = window.bmm(cells).squeeze(1);
            Tensor evidence = content * content.tanh();
            Tensor weights = head.read.call(state).unflatten(1, [-1, head._channels]);
            Tensor byObject = weights.bmm(evidence.unsqueeze(-1)).squeeze(-1);
            // Is anything in the region the state picks (beyond the object, for "," against "and", or the end)?
            Tensor place = head.placeScore.call((places + head.placeState.call(state).unsqueeze(1)).tanh())
                .squeeze(-1).sigmoid();
            Tensor anything = (objects * place).amax([1], keepdim: true);
            // Words about positions ("above", "left of") compare the found object's place with the last one's.
            Tensor byPlace = head.language.call(functional.relu(head.relate.call(state)));
            return byPlace + byObject + head.beyond.call(state) * anything;
        }
    }
}
