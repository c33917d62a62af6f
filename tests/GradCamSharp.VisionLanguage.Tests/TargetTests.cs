using GradCamSharp.Methods;
using GradCamSharp.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace GradCamSharp.VisionLanguage.Tests;

/// <summary>Word, caption and answer targets against their closed forms, through the real models' plumbing.</summary>
public sealed class TargetTests
{
    [Fact]
    public void SequenceTarget_IsTheSumOfTheChosenWordsLogSoftmax()
    {
        using DisposeScope scope = NewDisposeScope();
        float[] values = [1f, 2f, 0.5f, -1f, 0f, 3f, 2f, 2f, -2f, 1f, 0f, 0.25f];
        Tensor logits = tensor(values).reshape(1, 3, 4);
        int[] tokens = [1, 3, 0];

        float whole = VisionLanguageTargets.Caption(tokens[..2]).Scores(logits)[0].Values.item<float>();
        float second = VisionLanguageTargets.Word(tokens[..2], 1, "x").Scores(logits)[0].Values.item<float>();

        double LogSoftmax(int position, int token)
        {
            double[] row = values.Skip(position * 4).Take(4).Select(v => (double)v).ToArray();
            return row[token] - Math.Log(row.Sum(Math.Exp));
        }
        // The caption target reads its words and then the end (id 2), as the captioner's last position predicts.
        Assert.Equal(LogSoftmax(0, 1) + LogSoftmax(1, 3) + LogSoftmax(2, Vocabulary.EndId), whole, 5);
        Assert.Equal(LogSoftmax(1, 3), second, 5);
    }

    [Theory]
    [InlineData(5f)]
    [InlineData(25f)]
    [InlineData(60f)]
    public void WordTarget_OfAWordTheModelIsSureOf_KeepsItsExactGradient(float margin)
    {
        using DisposeScope scope = NewDisposeScope();
        // The word (id 3) leads the others by `margin`: p = 1 - 4e-26 at 60, where float32's log_softmax gives the
        // word's own logit a gradient of 1 - p = 0 and so the whole gradient points away from the word.
        float[] values = [0.5f, -1f, 0.25f, margin, 1f, 0f];
        // The word's position, then the end's (which the word target does not read).
        Tensor logits = tensor([.. values, .. values]).reshape(1, 2, 6).requires_grad_(true);

        Tensor score = VisionLanguageTargets.Word([3], 0, "sure").Scores(logits)[0].Values.sum();
        float[] gradient = torch.autograd.grad([score], [logits])[0][0, 0].data<float>().ToArray();

        // d log p_w / d x_v = [v == w] - p_v; with the others' share s = sum of exp(x_v - x_w), 1 - p_w = s / (1 + s).
        double[] shifted = values.Select(v => Math.Exp((double)v - margin)).ToArray();
        double share = shifted.Where((_, v) => v != 3).Sum(), total = 1 + share;
        for (int v = 0; v < values.Length; v++)
        {
            double expected = v == 3 ? share / total : -shifted[v] / total;
            Assert.True(Math.Abs(gradient[v] - expected) <= 1e-5 * Math.Abs(expected),
                $"word {v}: {gradient[v]} vs {expected}");
        }
        Assert.True(gradient[3] > 0);
        Assert.Equal(-Math.Log(total), score.item<float>(), 5);
    }

    [Theory]
    [InlineData(VisionLanguageRecipe.StackedAttentionHead)]
    [InlineData(VisionLanguageRecipe.GatedHead)]
    public void WordTarget_GradCam_EqualsTheClosedFormThroughTheCaptioner(string head)
    {
        using DisposeScope scope = NewDisposeScope();
        using Captioner model = TinyModels.Captioner(head: head);
        int[] words = model.EncodeCaption("a red circle left of a blue star");
        manual_seed(5);
        Tensor input = randn(1, 3, 128, 128);

        // By hand: d log p(word 2 | prefix) / dA, averaged over the map, weights the encoder's channels.
        Tensor features = model.Features(input).detach().requires_grad_(true);
        Tensor logits = model.Network.Head.call(features, tensor(words.Select(w => (long)w).ToArray()).unsqueeze(0));
        Tensor score = logits[0, 2].log_softmax(-1)[words[2]];
        Tensor gradient = torch.autograd.grad([score], [features])[0];
        Tensor expected = (gradient.mean([2, 3], keepdim: true) * features).sum(1)[0].relu();

        using IExplainableModel explained = model.ForCaption(words);
        Explanation explanation = new GradCam(explained, new CamOptions { Layer = model.EncoderLayer })
            .Explain(input, VisionLanguageTargets.Word(words, 2, "circle")).Single();

        Tolerance.AssertClose(expected.detach().data<float>().ToArray(), explanation.RawMap!.Values, 1e-5);
        Assert.Equal(score.item<float>(), explanation.Score, 4);
    }

    [Fact]
    public void AnswerTarget_GradCamAndCounterfactual_AreTheClosedFormAndItsNegation()
    {
        using DisposeScope scope = NewDisposeScope();
        using VqaModel model = TinyModels.Vqa();
        int[] question = model.EncodeQuestion("what color is the star?");
        manual_seed(6);
        Tensor input = randn(1, 3, 128, 128);
        int answer = model.AnswerIndex("blue");

        Tensor features = model.Features(input).detach().requires_grad_(true);
        Tensor logit = model.Network.Head.call(features, VisionLanguageModel.QuestionTensor(question))[0, answer];
        Tensor gradient = torch.autograd.grad([logit], [features])[0];
        Tensor alpha = gradient.mean([2, 3], keepdim: true);
        float[] gradCam = (alpha * features).sum(1)[0].relu().detach().data<float>().ToArray();
        float[] counterfactual = (-alpha * features).sum(1)[0].relu().detach().data<float>().ToArray();

        using IExplainableModel explained = model.ForQuestion(question);
        IReadOnlyList<Explanation> maps = KnownMethods.CreateSet([KnownMethods.GradCam, KnownMethods.Counterfactual],
            explained, new CamOptions { Layer = model.EncoderLayer }).Explain(input,
                VisionLanguageTargets.Answer(answer));

        Tolerance.AssertClose(gradCam, maps.Single(m => m.Method == KnownMethods.GradCam).RawMap!.Values, 1e-5);
        Tolerance.AssertClose(counterfactual,
            maps.Single(m => m.Method == KnownMethods.Counterfactual).RawMap!.Values, 1e-5);
        Assert.Equal(logit.item<float>(), maps[0].Score, 4);
    }

    [Fact]
    public void FusedLayer_OfTheHead_IsExplainableBesideTheEncodersLayers()
    {
        using DisposeScope scope = NewDisposeScope();
        using VqaModel model = TinyModels.Vqa();
        using IExplainableModel explained = model.ForQuestion(model.EncodeQuestion("is the star red"));
        Assert.Contains(model.FusedLayer!, explained.LayerNames);
        Assert.Contains(model.EncoderLayer, explained.LayerNames);
        manual_seed(7);
        Tensor input = randn(2, 3, 128, 128);

        IReadOnlyList<Explanation> maps = KnownMethods.CreateSet([KnownMethods.GradCam, KnownMethods.GuidedGradCam],
            explained, new CamOptions { Layer = model.FusedLayer! }).Explain(input, VisionLanguageTargets.Answer(0));

        Assert.Equal(4, maps.Count);
        Assert.All(maps, m => Assert.Equal(model.FusedLayer, m.Layer));
        Assert.All(maps.Where(m => m.Method == KnownMethods.GradCam), m => Assert.Equal(16, m.RawMap!.Width));
    }
}
