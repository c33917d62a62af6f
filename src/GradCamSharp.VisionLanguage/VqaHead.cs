using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace GradCamSharp.VisionLanguage;

/// <summary>
/// Answers a question about a feature map (Yang et al.'s stacked attention, the fusion of the paper's VQA models):
/// an LSTM reads the question; twice, the question is added to every cell's projected features (concatenation
/// fusion) and a ReLU gives the fused map (<c>fuse1</c>, <c>fuse2</c>), whose attention picks the cells that update
/// the question; the answer comes from the last fused map alone: its maximum over the cells and a soft count of its
/// cells (for "how many"). The second hop lets "what is left of the red square" first find the square (whose
/// features and coordinates update the question), then its neighbour.
/// </summary>
internal sealed class VqaHead : Module<Tensor, Tensor, Tensor>, IQuestionAnswerer
{
    private const int EmbeddingSize = 64;
    private const int QuestionSize = 128;
    private const int JointSize = 128;
    private const int Hops = 2;
    private const int CountChannels = 4;
    private const float CountScale = 16f;

#pragma warning disable IDE1006, CA1051 // TorchSharp registers submodules by field name.
    private readonly Embedding embed;
    private readonly LSTM lstm;
    private readonly Conv2d project;
    private readonly ModuleList<Linear> ask;
    private readonly ModuleList<ReLU> fuse;
    private readonly ModuleList<Conv2d> attend;
    private readonly ModuleList<Linear> update;
    private readonly Conv2d count;
    private readonly Linear hidden;
    private readonly Linear answer;
#pragma warning restore IDE1006, CA1051

    /// <summary>A freshly initialised head.</summary>
    /// <param name="featureChannels">The channels of the feature maps it reads.</param>
    /// <param name="words">The question vocabulary's size.</param>
    /// <param name="answers">How many answers it chooses from.</param>
    public VqaHead(int featureChannels, int words, int answers) : base(nameof(VqaHead))
    {
        int cell = featureChannels + SpatialFeatures.CoordinateChannels;
        embed = Embedding(words, EmbeddingSize, padding_idx: Vocabulary.PaddingId);
        lstm = LSTM(EmbeddingSize, QuestionSize, batchFirst: true);
        project = Conv2d(cell, JointSize, 1);
        ask = new ModuleList<Linear>([.. Enumerable.Range(0, Hops).Select(_ => Linear(QuestionSize, JointSize))]);
        fuse = new ModuleList<ReLU>([.. Enumerable.Range(0, Hops).Select(_ => ReLU())]);
        // Every hop but the last attends and updates the question; the last one's fused map gives the answer.
        attend = new ModuleList<Conv2d>([.. Enumerable.Range(0, Hops - 1).Select(_ => Conv2d(JointSize, 1, 1))]);
        update = new ModuleList<Linear>([.. Enumerable.Range(0, Hops - 1).Select(_ => Linear(cell, QuestionSize))]);
        count = Conv2d(JointSize, CountChannels, 1);
        hidden = Linear(JointSize + CountChannels, 128);
        answer = Linear(128, answers);
        RegisterComponents();
    }

    /// <summary>The layer whose map is question-conditioned: the last hop's fused features.</summary>
    public static string FusedLayer => $"fuse.{Hops - 1}";

    /// <summary>Answer logits [N, answers] for [N, C, h, w] features and [N, L] left-padded question ids.</summary>
    public override Tensor forward(Tensor features, Tensor question) => AnswerMany(features, question, null);

    /// <inheritdoc />
    public Tensor AnswerMany(Tensor features, Tensor question, Tensor? imageOfQuestion)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(question);
        using var scope = NewDisposeScope();
        Tensor cells = SpatialFeatures.WithCoordinates(features);
        Tensor projected = project.call(cells);
        Tensor flatCells = cells.flatten(2).transpose(1, 2);
        if (imageOfQuestion is not null)
        {
            projected = projected.index_select(0, imageOfQuestion);
            flatCells = flatCells.index_select(0, imageOfQuestion);
        }
        else if (features.shape[0] != question.shape[0])
        {
            long n = features.shape[0];
            question = question.expand(n, -1);
        }
        (Tensor words, _, _) = lstm.call(embed.call(question));
        Tensor state = words.select(1, -1);
        Tensor fused = projected;
        for (int hop = 0; hop < Hops; hop++)
        {
            fused = fuse[hop].call(projected + ask[hop].call(state).unsqueeze(-1).unsqueeze(-1));
            if (hop == Hops - 1) break;
            Tensor weights = attend[hop].call(fused).flatten(1).softmax(-1);
            Tensor attended = weights.unsqueeze(1).bmm(flatCells).squeeze(1);
            state = state + update[hop].call(attended).tanh();
        }
        // The answer reads the last fused map alone, by its maximum over the cells (not the mean) and a gate per
        // cell added up (for "how many"): it then rests on the cells that hold the evidence, so the fused map, and
        // Grad-CAM of it, must be high there and low elsewhere. The question state only steers the hops.
        Tensor strongest = fused.amax([2, 3]);
        Tensor counted = count.call(fused).sigmoid().sum([2, 3]) / CountScale;
        return answer.call(functional.relu(hidden.call(cat([strongest, counted], 1)))).MoveToOuterDisposeScope();
    }
}
