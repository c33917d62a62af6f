using GradCamSharp.Methods;
using GradCamSharp.Targets;
using TorchSharp;
using static TorchSharp.torch;

namespace GradCamSharp.Onnx.Tests;

/// <summary>
/// A visual-question-answering-shaped graph: the image's features are gated by a question vector before the answer
/// head. Grad-CAM explains an answer's score with the question held fixed, through any differentiable target.
/// </summary>
public sealed class MultiInputTests
{
    private static readonly float[,] AnswerWeights = { { 1f, -2f, 0.5f }, { 3f, 1f, -1f } };

    /// <summary>answers = (GAP(relu(image)) * question) @ W: image [1, 2, 4, 4], question [1, 2], W [2, 3].</summary>
    private static OnnxModule QuestionAnsweringModel() =>
        new OnnxGraphBuilder("vqa")
            .Input("image", 1, 2, 4, 4)
            .Input("question", 1, 2)
            .Output("answers", 1, 3)
            .Initializer("W", [2, 3], AnswerWeights.Cast<float>().ToArray())
            .Node("Relu", "features", ["image"], ["features"])
            .Node("GlobalAveragePool", "pool", ["features"], ["pooled"])
            .Node("Flatten", "flatten", ["pooled"], ["vector"])
            .Node("Mul", "gate", ["vector", "question"], ["gated"])
            .Node("MatMul", "answer", ["gated", "W"], ["answers"])
            .Load();

    [Fact]
    public void GradCam_OfAnAnswer_WithTheQuestionFixed_MatchesTheClosedForm()
    {
        using DisposeScope scope = NewDisposeScope();
        manual_seed(9);
        Tensor image = randn(1, 2, 4, 4);
        Tensor question = tensor(new float[] { 0.5f, 2f }).reshape(1, 2);
        using var model = new OnnxExplainableModel(QuestionAnsweringModel(), imageInput: "image",
            otherInputs: new Dictionary<string, Tensor> { ["question"] = question });

        // The answer "1 beats 0": any differentiable scalar of the output can be explained.
        var margin = new DelegateTarget("answer 1 over answer 0", answers => answers[.., 1] - answers[.., 0]);
        Explanation explanation =
            new GradCam(model, new CamOptions { Layer = "features" }).Explain(image, margin).Single();

        // d(margin)/dA_k = q_k (W[k,1] - W[k,0]) / 16 at every position, so the map is relu(sum_k that * A_k).
        Tensor features = image.relu()[0];
        float[] expected = new float[16];
        for (int i = 0; i < 16; i++)
        {
            double sum = 0;
            for (int k = 0; k < 2; k++)
            {
                sum += question[0, k].item<float>() * (AnswerWeights[k, 1] - AnswerWeights[k, 0]) / 16
                    * features[k].flatten()[i].item<float>();
            }
            expected[i] = (float)Math.Max(0, sum);
        }
        Assert.Equal("features", explanation.Layer);
        for (int i = 0; i < 16; i++) Assert.Equal(expected[i], explanation.RawMap!.Values[i], 5);
    }

    [Fact]
    public void Answers_DependOnTheQuestion()
    {
        using OnnxModule module = QuestionAnsweringModel();
        using DisposeScope scope = NewDisposeScope();
        Tensor image = ones(1, 2, 4, 4);
        Tensor Answer(float[] q) =>
            module.Run(new Dictionary<string, Tensor> { ["image"] = image,
                ["question"] = tensor(q).reshape(1, 2) })["answers"];
        Assert.Equal(1f * 1 + 0 * 3, Answer([1f, 0f])[0, 0].item<float>(), 5);
        Assert.Equal(0 * 1 + 1f * 3, Answer([0f, 1f])[0, 0].item<float>(), 5);
    }
}
