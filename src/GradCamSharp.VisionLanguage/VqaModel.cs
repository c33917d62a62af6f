using GradCamSharp.Imaging;
using GradCamSharp.Models;
using static TorchSharp.torch;

namespace GradCamSharp.VisionLanguage;

/// <summary>
/// A model that answers questions about an image: it ranks its answers and, with a question held fixed, is an
/// <see cref="IExplainableModel"/> whose targets are the answers' scores (<see cref="VisionLanguageTargets.Answer"/>).
/// </summary>
public sealed class VqaModel : VisionLanguageModel
{
    internal VqaModel(VisionLanguageFile file, VisionLanguageNetwork network, IExplainableModel encoder,
        Preprocessing preprocessing, string encoderLayer)
        : base(file, network, encoder, preprocessing, encoderLayer)
    {
    }

    /// <inheritdoc />
    public override string Kind => "VQA model";

    /// <summary>The answers, in logit order.</summary>
    public IReadOnlyList<string> Answers => File.Answers;

    /// <summary>The question-conditioned layer: where the question has opened the image's features.</summary>
    public string FusedLayer => EncoderHeadModel.HeadPrefix + (File.Training.Head == VisionLanguageRecipe.GatedHead
        ? GatedVqaHead.FusedLayer : VqaHead.FusedLayer);

    /// <summary>The encoder's output, as the paper explains, and the fused layer.</summary>
    public override IReadOnlyList<string> ExplainedLayers => [EncoderLayer, FusedLayer];

    /// <summary>The ids of <paramref name="question"/>, or a usage error (unknown word, empty, too long).</summary>
    public int[] EncodeQuestion(string question) => Vocabulary.Encode(question, File.MaxWords, "question");

    /// <summary>The index of <paramref name="answer"/>, or a usage error listing the answers.</summary>
    public int AnswerIndex(string answer)
    {
        ArgumentNullException.ThrowIfNull(answer);
        int index = Answers.ToList().IndexOf(answer.Trim().ToLowerInvariant());
        return index >= 0 ? index : throw new UsageException(
            $"'{answer}' is not an answer this model gives; it knows: {string.Join(", ", Answers)}");
    }

    /// <summary>The <paramref name="count"/> likeliest answers to <paramref name="question"/>, best first.</summary>
    public IReadOnlyList<(string Answer, float Probability)> Answer(Tensor input, string question, int count = 3)
    {
        int[] ids = EncodeQuestion(question);
        using var scope = NewDisposeScope();
        using var noGradient = no_grad();
        Tensor probabilities = Network.Head.call(Features(input), QuestionTensor(ids)).softmax(-1)[0];
        float[] values = probabilities.data<float>().ToArray();
        return values.Select((p, i) => (Answers[i], p)).OrderByDescending(a => a.p).Take(count).ToArray();
    }

    /// <summary>The index of the likeliest answer to <paramref name="question"/> given encoded features.</summary>
    internal int AnswerFromFeatures(Tensor features, int[] question)
    {
        using var scope = NewDisposeScope();
        using var noGradient = no_grad();
        return (int)Network.Head.call(features, QuestionTensor(question)).argmax(-1).item<long>();
    }

    /// <summary>The model with <paramref name="question"/> fixed: image in, answer logits out.</summary>
    public IExplainableModel ForQuestion(int[] question)
    {
        ArgumentNullException.ThrowIfNull(question);
        int[] ids = [.. question];
        var head = new TorchModuleModel(Network.Head, features =>
        {
            using Tensor words = QuestionTensor(ids);
            return Network.Head.call(features, words);
        }, name: "vqa", leaveOpen: true);
        return new EncoderHeadModel(Encoder, head, leaveOpen: true);
    }
}
