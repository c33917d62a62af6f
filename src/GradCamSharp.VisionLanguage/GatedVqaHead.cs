using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace GradCamSharp.VisionLanguage;

/// <summary>
/// Answers a question by choosing which feature channels and which part of the map to read (multiplicative fusion,
/// as in the paper's "deeper LSTM Q + norm I" VQA model, whose question and image vectors meet by an element-wise
/// product): an LSTM reads the question; one hop of attention finds the object the question refers to and hands its
/// position to the question state ("left of the red square"); the state then gives a gate per channel and a gate per
/// cell (from the cell's position), and the gated map (<c>gated</c>) is read twice: its maximum per channel, by
/// weights the question state chooses (a linear reading per question), and a soft count of one channel (for "how
/// many"), by a small classifier beside the question state.
/// </summary>
/// <remarks>
/// Why a gate rather than the stacked-attention head's concatenation: the answer reaches the image only through
/// the channels the question opens, so its gradient, averaged per channel by Grad-CAM, weighs those channels alone.
/// Over an encoder whose channels each stand for one colour-and-shape pair (concept pretraining), "what color is the
/// cross" opens the cross channels and the answer "red" weighs the red cross's channel, so Grad-CAM lights that
/// object and not every red one.
/// </remarks>
internal sealed class GatedVqaHead : Module<Tensor, Tensor, Tensor>, IQuestionAnswerer
{
    private const int EmbeddingSize = 64;
    private const int QuestionSize = 128;
    private const int AttentionSize = 64;
    private const int HiddenSize = 128;
    private const int CountChannels = 1;
    private const float CountScale = 16f;

#pragma warning disable IDE1006, CA1051 // TorchSharp registers submodules by field name.
    private readonly Embedding embed;
    private readonly LSTM lstm;
    private readonly Conv2d findCells;
    private readonly Linear findQuestion;
    private readonly Conv2d findScore;
    private readonly Linear locate;
    private readonly Linear channelGate;
    private readonly Conv2d placeCells;
    private readonly Linear placeQuestion;
    private readonly Conv2d placeScore;
    private readonly Identity gated;
    private readonly Linear read;
    private readonly Conv2d spot;
    private readonly Conv2d count;
    private readonly Linear hidden;
    private readonly Linear answer;
#pragma warning restore IDE1006, CA1051

    /// <summary>A freshly initialised head.</summary>
    /// <param name="featureChannels">The channels of the feature maps it reads.</param>
    /// <param name="words">The question vocabulary's size.</param>
    /// <param name="answers">How many answers it chooses from.</param>
    public GatedVqaHead(int featureChannels, int words, int answers) : base(nameof(GatedVqaHead))
    {
        int cell = featureChannels + SpatialFeatures.CoordinateChannels;
        embed = Embedding(words, EmbeddingSize, padding_idx: Vocabulary.PaddingId);
        lstm = LSTM(EmbeddingSize, QuestionSize, batchFirst: true);
        findCells = Conv2d(cell, AttentionSize, 1);
        findQuestion = Linear(QuestionSize, AttentionSize);
        findScore = Conv2d(AttentionSize, 1, 1);
        locate = Linear(SpatialFeatures.CoordinateChannels, QuestionSize);
        channelGate = Linear(QuestionSize, featureChannels);
        placeCells = Conv2d(SpatialFeatures.CoordinateChannels, AttentionSize, 1);
        placeQuestion = Linear(QuestionSize, AttentionSize);
        placeScore = Conv2d(AttentionSize, 1, 1);
        gated = Identity();
        read = Linear(QuestionSize, answers * (featureChannels + 1));
        spot = Conv2d(featureChannels, 16, 3, padding: 1);
        count = Conv2d(16, CountChannels, 5, padding: 2);
        hidden = Linear(CountChannels + QuestionSize, HiddenSize);
        answer = Linear(HiddenSize, answers);
        RegisterComponents();
    }

    /// <summary>The layer whose map is question-conditioned: the gated features.</summary>
    public static string FusedLayer => "gated";

    /// <summary>Answer logits [N, answers] for [N, C, h, w] features and [N, L] left-padded question ids.</summary>
    public override Tensor forward(Tensor features, Tensor question) => AnswerMany(features, question, null);

    /// <inheritdoc />
    public Tensor AnswerMany(Tensor features, Tensor question, Tensor? imageOfQuestion)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(question);
        using var scope = NewDisposeScope();
        if (imageOfQuestion is not null) features = features.index_select(0, imageOfQuestion);
        else if (features.shape[0] != question.shape[0]) question = question.expand(features.shape[0], -1);
        Tensor cells = SpatialFeatures.WithCoordinates(features);
        Tensor coordinates = cells.narrow(1, features.shape[1], SpatialFeatures.CoordinateChannels);
        (Tensor words, _, _) = lstm.call(embed.call(question));
        Tensor state = words.select(1, -1);
        // One hop: where is the object the question names? Only its position goes on, so that the answer's gradient
        // reaches the named object's features through the attention alone, not through what it reads there.
        Tensor found = findScore.call((findCells.call(cells) + Spread(findQuestion.call(state))).tanh())
            .flatten(1).softmax(-1);
        Tensor position = found.unsqueeze(1).bmm(coordinates.flatten(2).transpose(1, 2)).squeeze(1);
        state = state + locate.call(position).tanh();
        Tensor channels = Spread(channelGate.call(state).sigmoid());
        Tensor place = placeScore.call((placeCells.call(coordinates) + Spread(placeQuestion.call(state))).tanh())
            .sigmoid();
        Tensor map = gated.call(features * channels * place);
        // The evidence is read linearly, by weights the question chooses: an answer's gradient on a channel is then
        // that weight, the same at every cell, and the channels that speak for it get positive weights.
        Tensor strongest = cat([map.amax([2, 3]), ones(map.shape[0], 1)], 1);
        Tensor weights = read.call(state).unflatten(1, [-1, strongest.shape[1]]);
        Tensor evidence = weights.bmm(strongest.unsqueeze(-1)).squeeze(-1);
        // "How many" needs a count and a non-linear reading of it, from one channel so it cannot tell colours; each
        // cell's share of the count looks 7x7 cells (56 pixels) around it, wide enough to see one whole object.
        Tensor counted = count.call(functional.relu(spot.call(map))).sigmoid().sum([2, 3]) / CountScale;
        Tensor byCount = answer.call(functional.relu(hidden.call(cat([counted, state], 1))));
        return (evidence + byCount).MoveToOuterDisposeScope();
    }

    private static Tensor Spread(Tensor perSample) => perSample.unsqueeze(-1).unsqueeze(-1);
}
