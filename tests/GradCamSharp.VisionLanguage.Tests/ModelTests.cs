using GradCamSharp.Methods;
using GradCamSharp.Maps;
using GradCamSharp.Models;
using GradCamSharp.Scenes;
using GradCamSharp.VisionLanguage.Evaluation;
using TorchSharp;
using static TorchSharp.torch;

namespace GradCamSharp.VisionLanguage.Tests;

/// <summary>Text in, clean refusals for text the model cannot read; models that save, load and train.</summary>
public sealed class ModelTests
{
    [Fact]
    public void UnknownWords_EmptyAndOverlongText_AreRefusedWithWhatTheModelAccepts()
    {
        using VqaModel model = TinyModels.Vqa();

        var unknown = Assert.Throws<UsageException>(() => model.EncodeQuestion("what colour is the star"));
        Assert.Contains("'colour'", unknown.Message);
        Assert.Contains("the model knows: a red blue circle", unknown.Message);
        Assert.Contains("empty", Assert.Throws<UsageException>(() => model.EncodeQuestion("  ? ")).Message);
        var overlong = Assert.Throws<UsageException>(() => model.EncodeQuestion("a a a a a a a a a"));
        Assert.Contains("at most 8", overlong.Message);
        Assert.Contains("'purple'", Assert.Throws<UsageException>(() => model.AnswerIndex("purple")).Message);
        Assert.Equal(model.EncodeQuestion("What color is the STAR?"), model.EncodeQuestion("what color is the star"));
    }

    [Fact]
    public void SavedModel_LoadsWithIdenticalOutputs()
    {
        using DisposeScope scope = NewDisposeScope();
        using var folder = new TempFolder();
        string path = Path.Combine(folder.Path, "tiny.json");
        using VqaModel model = TinyModels.Vqa();
        model.Save(path, [new EpochReport(1, 0.5, 0.9, 1)]);
        using VqaModel loaded = Assert.IsType<VqaModel>(VisionLanguageModel.Load(path));
        manual_seed(8);
        Tensor input = randn(1, 3, 128, 128);

        var before = model.Answer(input, "is the star red", 4);
        var after = loaded.Answer(input, "is the star red", 4);

        Assert.Equal(before, after);
        Assert.Equal(model.Answers, loaded.Answers);
        Assert.Equal("tiny", loaded.Name);
        Assert.Single(loaded.File.Epochs);
        Assert.False(File.Exists(path + ".partial"));
    }

    [Fact]
    public void MissingWeights_AndUnknownNames_FailCleanly()
    {
        using var folder = new TempFolder();
        string path = Path.Combine(folder.Path, "tiny.json");
        using (VisionLanguageModel model = TinyModels.Vqa()) model.Save(path, []);
        string weights = Path.Combine(folder.Path, "tiny.bin");
        File.Copy(weights, weights + ".kept");
        File.Delete(weights);

        Assert.Throws<UnreadableInputException>(() => VisionLanguageModel.Load(path));
        File.Move(weights + ".kept", weights);
        Assert.Contains("shipped: shapes-captioner",
            Assert.Throws<UsageException>(() => VisionLanguageCatalog.Load("shapes-vqq")).Message);
        // Each kind loads as its own type; the other kind is a usage error naming what would do.
        var wrongKind = Assert.Throws<UsageException>(() => VisionLanguageCatalog.LoadCaptioner(path));
        Assert.Contains("is a VQA model", wrongKind.Message);
        Assert.Contains("shapes-captioner", wrongKind.Message);
    }

    [Theory]
    [InlineData(3, false)]
    [InlineData(11, false)]
    [InlineData(3, true)]
    [InlineData(11, true)]
    public void BeamSearch_WideEnough_FindsTheBestCaptionOfAll_AndWidthOneIsGreedy(int seed, bool gated)
    {
        using DisposeScope scope = NewDisposeScope();
        manual_seed(seed);
        // Five words and the end: with at most two words there are 31 captions, so a beam of 64 holds them all.
        using CaptionDecoderHead head = gated
            ? new GatedCaptionHead(featureChannels: 4, words: 8) : new CaptionHead(featureChannels: 4, words: 8);
        head.eval();
        Tensor features = rand(1, 4, 3, 3);
        int[][] captions = [[], .. Enumerable.Range(3, 5).Select(w => new[] { w }),
            .. Enumerable.Range(3, 5).SelectMany(w => Enumerable.Range(3, 5).Select(v => new[] { w, v }))];
        double MeanLogProbability(int[] caption)
        {
            using var noGradient = no_grad();
            Tensor words = tensor(caption.Select(w => (long)w).ToArray(), dtype: ScalarType.Int64).view(1, -1);
            Tensor logProbabilities = head.call(features, words).log_softmax(-1)[0];
            double sum = caption.Append(Vocabulary.EndId).Select((w, t) => (double)logProbabilities[t, w]
                .item<float>()).Sum();
            return sum / (caption.Length + 1);
        }
        int[] best = captions.MaxBy(MeanLogProbability)!;

        int[] found = head.Generate(features, maxWords: 2, beamWidth: 64)[0];

        Assert.Equal(best, found);
        Assert.Equal(head.Generate(features, 2)[0], head.Generate(features, 2, beamWidth: 1)[0]);
        Assert.All(head.Generate(features, 2, beamWidth: 3)[0], w => Assert.InRange(w, 3, 7));
    }

    [Fact]
    public void BeamWidth_OutsideItsRange_IsRefused()
    {
        using Captioner model = TinyModels.Captioner();
        using Tensor input = zeros(1, 3, 128, 128);
        Assert.Contains("1..20", Assert.Throws<UsageException>(() => model.Caption(input, 0)).Message);
        Assert.Contains("1..20", Assert.Throws<UsageException>(() => model.Caption(input, 21)).Message);
        Assert.Single(model.Caption(input, 4));
    }

    [Fact]
    public void ShortVqaTraining_LowersTheLossAndBeatsChance_AndIsReproducible()
    {
        var recipe = new VisionLanguageRecipe
        {
            Task = VisionLanguageTasks.Vqa, Scenes = 320, Epochs = 3, Seed = 4, HeldOutScenes = 60,
        };
        using var world = new ShapeWorld();
        (VisionLanguageModel trained, IReadOnlyList<EpochReport> epochs) =
            VisionLanguageTrainer.Train(recipe, world, "a");
        using (VqaModel model = Assert.IsType<VqaModel>(trained))
        {
            // An untrained classifier starts near ln(answers); the most common answer is right about a fifth of the
            // time (yes and no are each asked once a scene among about six questions).
            double start = Math.Log(model.Answers.Count);
            Assert.True(epochs[^1].Loss < 0.6 * start, $"loss {epochs[^1].Loss} vs start {start}");
            Assert.True(epochs[^1].HeldOut > 0.35, $"held-out accuracy {epochs[^1].HeldOut}");
            (VisionLanguageModel again, IReadOnlyList<EpochReport> repeated) =
                VisionLanguageTrainer.Train(recipe, world, "b");
            using (again)
                Assert.Equal(epochs.Select(e => (e.Loss, e.HeldOut)), repeated.Select(e => (e.Loss, e.HeldOut)));
        }
    }

    [Fact]
    public void ShortGatedVqaTraining_OverFrozenPairedConcepts_LowersTheLossAndBeatsChance()
    {
        var recipe = VisionLanguageRecipe.For(VisionLanguageTasks.Vqa, SceneWorlds.Shapes) with
        {
            Scenes = 960, Epochs = 6, ConceptEpochs = 4, Seed = 4, HeldOutScenes = 60,
        };
        Assert.Equal(VisionLanguageRecipe.GatedHead, recipe.Head);
        using var world = new ShapeWorld();
        (VisionLanguageModel trained, IReadOnlyList<EpochReport> epochs) =
            VisionLanguageTrainer.Train(recipe, world, "g");
        using (VqaModel model = Assert.IsType<VqaModel>(trained))
        {
            double start = Math.Log(model.Answers.Count);
            Assert.True(epochs[^1].Loss < 0.6 * start, $"loss {epochs[^1].Loss} vs start {start}");
            Assert.True(epochs[^1].HeldOut > 0.35, $"held-out accuracy {epochs[^1].HeldOut}");
            Assert.Equal(EncoderHeadModel.HeadPrefix + GatedVqaHead.FusedLayer, model.FusedLayer);
            // The encoder was frozen for training, but explanations still reach it.
            using Scene scene = world.Generate(99, 0);
            using DisposeScope scope = NewDisposeScope();
            Tensor input = model.Prepare([scene.Image]);
            using IExplainableModel explained = model.ForQuestion(model.EncodeQuestion(scene.Questions[0].Question));
            Explanation map = Assert.Single(KnownMethods.CreateSet([KnownMethods.GradCam], explained,
                new CamOptions { Layer = ShapeEncoder.OutputLayer }).Explain(input, [VisionLanguageTargets.Answer(0)]));
            Assert.True(map.Heatmap.Values.All(float.IsFinite));
        }
    }

    [Fact]
    public void ShortCaptionerTraining_LowersTheLossFarBelowChance()
    {
        var recipe = new VisionLanguageRecipe
        {
            Task = VisionLanguageTasks.Captioner, Scenes = 320, Epochs = 3, Seed = 4, HeldOutScenes = 60,
        };
        using var world = new ShapeWorld();
        (VisionLanguageModel trained, IReadOnlyList<EpochReport> epochs) =
            VisionLanguageTrainer.Train(recipe, world, "c");
        using (Captioner model = Assert.IsType<Captioner>(trained))
        {
            double start = Math.Log(model.Vocabulary.Count);
            Assert.True(epochs[^1].Loss < 0.5 * start, $"loss {epochs[^1].Loss} vs start {start}");
            Assert.True(epochs[^1].HeldOut > 0.5, $"held-out word accuracy {epochs[^1].HeldOut}");
            Assert.True(epochs[^1].Loss < epochs[0].Loss);
        }
    }

    [Fact]
    public void ShortGatedCaptionerTraining_OverTheVqaModelsFrozenEncoder_LowersTheLossAndPredictsMostWords()
    {
        var recipe = VisionLanguageRecipe.For(VisionLanguageTasks.Captioner, SceneWorlds.Shapes) with
        {
            Scenes = 640, Epochs = 4, Seed = 4, HeldOutScenes = 60,
        };
        Assert.Equal(VisionLanguageRecipe.GatedHead, recipe.Head);
        Assert.Equal(VisionLanguageCatalog.ShapesVqa, recipe.EncoderFrom);
        using var world = new ShapeWorld();
        (VisionLanguageModel trained, IReadOnlyList<EpochReport> epochs) =
            VisionLanguageTrainer.Train(recipe, world, "gc");
        using (Captioner model = Assert.IsType<Captioner>(trained))
        {
            // At the start every word and every one of the 16x16 cells the attention may pick is about equally likely.
            double start = Math.Log(model.Vocabulary.Count) + recipe.FindSupervision * Math.Log(16 * 16);
            Assert.True(epochs[^1].Loss < 0.5 * start, $"loss {epochs[^1].Loss} vs start {start}");
            Assert.True(epochs[^1].HeldOut > 0.5, $"held-out word accuracy {epochs[^1].HeldOut}");
            // The encoder taken over is the VQA model's, unchanged by training, and explanations still reach it.
            using VqaModel vqa = VisionLanguageCatalog.LoadVqa(VisionLanguageCatalog.ShapesVqa);
            using Scene scene = world.Generate(99, 0);
            using DisposeScope scope = NewDisposeScope();
            Tensor input = model.Prepare([scene.Image]);
            Tolerance.AssertClose(vqa.Features(input).data<float>().ToArray(),
                model.Features(input).data<float>().ToArray(), 0);
            int[] caption = model.EncodeCaption(scene.Captions[0]);
            using IExplainableModel explained = model.ForCaption(caption);
            Explanation map = Assert.Single(KnownMethods.CreateSet([KnownMethods.GradCam], explained,
                new CamOptions { Layer = ShapeEncoder.OutputLayer }).Explain(input,
                [VisionLanguageTargets.Word(caption, 1, scene.Captions[0].Split(' ')[1])]));
            Assert.True(map.Heatmap.Values.All(float.IsFinite) && map.Heatmap.Values.Max() > 0);
            // Find supervision taught the hard attention where the caption's objects are: before the words that
            // name one, the chosen cell lies in that object's box far more often than chance (a box covers about 6%
            // of the scene).
            Assert.True(FoundInsideNamedObject(model, world, 40) > 0.4);
        }
    }

    /// <summary>
    /// The share of words naming an object, over <paramref name="scenes"/> scenes of seed 77, before which the head's
    /// most likely cell lies inside the named object's box.
    /// </summary>
    private static double FoundInsideNamedObject(Captioner model, ShapeWorld world, int scenes)
    {
        int inside = 0, named = 0;
        for (int i = 0; i < scenes; i++)
        {
            using Scene scene = world.Generate(77, i);
            using DisposeScope scope = NewDisposeScope();
            using var noGradient = no_grad();
            int[] caption = model.EncodeCaption(scene.Captions[0]);
            Tensor words = tensor(caption.Select(w => (long)w).ToArray()).unsqueeze(0);
            (_, Tensor? found) = ((CaptionDecoderHead)model.Network.Head).ReadTeacherForced(
                model.Features(model.Prepare([scene.Image])), words);
            long[] cells = found!.argmax(-1)[0].data<long>().ToArray();
            int side = scene.Width / ShapeEncoder.Stride;
            for (int t = 0; t < caption.Length; t++)
            {
                if (scene.CaptionGrounding[t] is not int index) continue;
                Box box = scene.Objects[index].Box;
                double x = (cells[t] % side + 0.5) * ShapeEncoder.Stride;
                double y = (cells[t] / side + 0.5) * ShapeEncoder.Stride;
                named++;
                if (x >= box.X0 && x <= box.X1 && y >= box.Y0 && y <= box.Y1) inside++;
            }
        }
        return inside / (double)named;
    }

    [Fact]
    public void TakingOverAnEncoder_TaughtOtherConcepts_IsRefused()
    {
        var recipe = VisionLanguageRecipe.For(VisionLanguageTasks.Captioner, SceneWorlds.Shapes) with
        {
            Scenes = 8, Epochs = 1, HeldOutScenes = 1, Concepts = VisionLanguageRecipe.SeparateConcepts,
        };
        using var world = new ShapeWorld();
        Assert.Contains("no encoder taught colors-and-shapes", Assert.Throws<UsageException>(() =>
            VisionLanguageTrainer.Train(recipe, world, "x")).Message);
        Assert.Contains("frozen shape-world encoder", Assert.Throws<UsageException>(() =>
            (recipe with { FreezeEncoder = false }).Validate()).Message);
        Assert.Contains("only from find supervision", Assert.Throws<UsageException>(() =>
            (recipe with { FindSupervision = 0 }).Validate()).Message);
    }

    [Fact]
    public void Bleu_IsOneForExactMatches_AndFollowsPapineniOnAKnownPair()
    {
        string[] sentence = ["a", "red", "circle", "left", "of", "a", "blue", "star"];
        Assert.Equal(1.0, Bleu.Corpus([(sentence, sentence)]), 12);
        // 7 words against a reference of 8, one changed: clipped n-gram precisions 6/7, 5/6, 4/5, 3/4, and the
        // brevity penalty exp(1 - 8/7).
        string[] candidate = ["a", "red", "circle", "left", "of", "a", "green"];
        double precisions = 6.0 / 7 * 5.0 / 6 * 4.0 / 5 * 3.0 / 4;
        double expected = Math.Exp(1 - 8.0 / 7) * Math.Pow(precisions, 0.25);
        Assert.Equal(expected, Bleu.Corpus([(candidate, sentence)]), 12);
        Assert.Equal(0.0, Bleu.Corpus([(["star"], sentence)]));
    }
}
