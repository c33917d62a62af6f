using System.Diagnostics;
using GradCamSharp.Scenes;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace GradCamSharp.VisionLanguage;

/// <summary>
/// Trains a captioner or a VQA model on a seeded world, reproducibly: the scenes, the initial weights and the order
/// of batches all follow from the recipe's seed. The shape world trains its CNN with the head; the photo world's
/// ResNet18 is frozen, so its features are computed once and only the head learns.
/// </summary>
public static class VisionLanguageTrainer
{
    /// <summary>Trains a model as <paramref name="recipe"/> says.</summary>
    /// <param name="recipe">Task, world, scenes, epochs, seed.</param>
    /// <param name="world">The world to draw scenes from (its name must match the recipe's).</param>
    /// <param name="name">The model's name, e.g. "shapes-vqa".</param>
    /// <param name="progress">Receives a line per stage and per epoch.</param>
    /// <param name="cancellation">Stops training between steps.</param>
    /// <returns>The trained model and its per-epoch report.</returns>
    public static (VisionLanguageModel Model, IReadOnlyList<EpochReport> Epochs) Train(VisionLanguageRecipe recipe,
        ISceneWorld world, string name, IProgress<string>? progress = null,
        CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(recipe);
        ArgumentNullException.ThrowIfNull(world);
        recipe.Validate();
        if (world.Name != recipe.World)
            throw new ArgumentException($"the recipe is for the {recipe.World} world, not {world.Name}");
        var clock = Stopwatch.StartNew();
        List<Scene> scenes = Generate(world, recipe.Seed, recipe.Scenes, "training", progress, cancellation);
        List<Scene> heldOut = Generate(world, recipe.HeldOutSeed, recipe.HeldOutScenes, "held-out", progress,
            cancellation);
        (Vocabulary vocabulary, string[] answers, int maxWords) = SceneTextEncoder.Describe(scenes);
        random.manual_seed(recipe.Seed);
        VisionLanguageModel model = VisionLanguageModel.Create(recipe, name, vocabulary, answers, maxWords);
        try
        {
            using TrainingSet training = TrainingSet.Build(model, scenes, progress, "training");
            using TrainingSet check = TrainingSet.Build(model, heldOut, progress, "held-out");
            VisionLanguageNetwork network = model.Network;
            if (recipe.ConceptEpochs > 0 && network.Encoder is { } encoder)
            {
                using Tensor coverage = ConceptPretraining.Coverage(scenes, scenes[0].Width / ShapeEncoder.Stride,
                    recipe.Concepts);
                ConceptPretraining.Train(encoder, training.Inputs, coverage, recipe, progress, cancellation);
                if (recipe.FreezeEncoder)
                {
                    // The taught concepts stay as they are; the head learns over their features, computed once.
                    foreach (TorchSharp.Modules.Parameter parameter in encoder.parameters())
                        parameter.requires_grad = false;
                    training.Encode(encoder);
                    check.Encode(encoder);
                }
            }
            foreach (Scene scene in scenes.Concat(heldOut)) scene.Dispose();
            network.train();
            List<TorchSharp.Modules.Parameter> trainable = network.parameters().Where(p => p.requires_grad).ToList();
            using var optimizer = optim.Adam(trainable, recipe.LearningRate);
            var order = new Random(recipe.Seed);
            var epochs = new List<EpochReport>();
            for (int epoch = 1; epoch <= recipe.Epochs; epoch++)
            {
                int[] shuffled = Enumerable.Range(0, training.Count).OrderBy(_ => order.Next()).ToArray();
                double lossSum = 0;
                int steps = 0;
                for (int start = 0; start < shuffled.Length; start += recipe.BatchSize)
                {
                    cancellation.ThrowIfCancellationRequested();
                    using var scope = NewDisposeScope();
                    int[] batch = shuffled[start..Math.Min(shuffled.Length, start + recipe.BatchSize)];
                    Tensor? loss = training.Loss(model, batch, recipe.FeatureSparsity);
                    if (loss is null) continue;
                    optimizer.zero_grad();
                    loss.backward();
                    optimizer.step();
                    lossSum += loss.item<float>();
                    steps++;
                }
                network.eval();
                double score = check.Accuracy(model);
                network.train();
                epochs.Add(new EpochReport(epoch, Math.Round(lossSum / Math.Max(1, steps), 4), Math.Round(score, 4),
                    Math.Round(clock.Elapsed.TotalSeconds, 1)));
                string measure = model.Task == VisionLanguageTasks.Vqa ? "answer accuracy" : "word accuracy";
                progress?.Report($"epoch {epoch}/{recipe.Epochs}: loss {lossSum / Math.Max(1, steps):F3}, held-out " +
                    $"{measure} {score:F3} ({clock.Elapsed.TotalSeconds:F0} s)");
            }
            network.eval();
            // A frozen encoder learns no more, but explanations still need gradients through it.
            foreach (TorchSharp.Modules.Parameter parameter in network.parameters()) parameter.requires_grad = true;
            return (model, epochs);
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    private static List<Scene> Generate(ISceneWorld world, int seed, int count, string what,
        IProgress<string>? progress, CancellationToken cancellation)
    {
        var scenes = new List<Scene>(count);
        for (int i = 0; i < count; i++)
        {
            cancellation.ThrowIfCancellationRequested();
            scenes.Add(world.Generate(seed, i));
            if ((i + 1) % 2000 == 0) progress?.Report($"{what}: {i + 1}/{count} scenes drawn");
        }
        return scenes;
    }

    /// <summary>Scenes ready for steps: encoder inputs (or frozen features) and texts as ids.</summary>
    private sealed class TrainingSet : IDisposable
    {
        private readonly IReadOnlyList<SceneTexts> _texts;

        private TrainingSet(Tensor inputs, IReadOnlyList<SceneTexts> texts, bool encoded)
        {
            Inputs = inputs;
            _texts = texts;
            _encoded = encoded;
        }

        private bool _encoded;

        public int Count => _texts.Count;

        /// <summary>The prepared scenes, or their features where the encoder is frozen.</summary>
        public Tensor Inputs { get; private set; }

        /// <summary>Replaces the prepared scenes by their features under a frozen <paramref name="encoder"/>.</summary>
        public void Encode(Module<Tensor, Tensor> encoder)
        {
            using var noGradient = no_grad();
            encoder.eval();
            var parts = new List<Tensor>();
            for (long start = 0; start < Inputs.shape[0]; start += 64)
                parts.Add(encoder.call(Inputs.narrow(0, start, Math.Min(64, Inputs.shape[0] - start))));
            Tensor features = cat(parts, 0);
            foreach (Tensor part in parts) part.Dispose();
            Inputs.Dispose();
            Inputs = features;
            _encoded = true;
        }

        public static TrainingSet Build(VisionLanguageModel model, List<Scene> scenes,
            IProgress<string>? progress, string what)
        {
            bool frozen = model.Network.Encoder is null;
            const int chunk = 16;
            var parts = new List<Tensor>();
            for (int start = 0; start < scenes.Count; start += chunk)
            {
                using var scope = NewDisposeScope();
                Tensor input = model.Prepare(scenes.Skip(start).Take(chunk).Select(s => s.Image));
                parts.Add((frozen ? model.Features(input) : input).MoveToOuterDisposeScope());
                if (frozen && (start / chunk) % 25 == 24)
                    progress?.Report($"{what}: features of {start + chunk}/{scenes.Count} scenes");
            }
            Tensor inputs = cat(parts, 0);
            foreach (Tensor part in parts) part.Dispose();
            return new TrainingSet(inputs, scenes.Select(s => SceneTextEncoder.Encode(s, model)).ToArray(), frozen);
        }

        /// <summary>The mean loss over <paramref name="batch"/>'s questions or captions; null if it has none.</summary>
        public Tensor? Loss(VisionLanguageModel model, int[] batch, double sparsity)
        {
            batch = Usable(model, batch);
            if (batch.Length == 0) return null;
            Tensor features = Features(model, batch);
            // An L1 penalty on a trained encoder's features keeps them at zero where nothing needs them (textured
            // backgrounds), which is what lets Grad-CAM's channel-weighted sum single out the objects.
            Tensor penalty = _encoded || sparsity == 0 ? zeros(1)
                : features.mean() * sparsity;
            if (model.Task == VisionLanguageTasks.Vqa)
            {
                (Tensor Questions, Tensor Images, Tensor Answers)? asked = Questions(batch);
                if (asked is not { } q) return null;
                var head = (IQuestionAnswerer)model.Network.Head;
                return nn.functional.cross_entropy(head.AnswerMany(features, q.Questions, q.Images), q.Answers)
                    + penalty;
            }
            (Tensor Words, Tensor Targets)? captions = Captions(batch);
            if (captions is not { } c) return null;
            Tensor logits = model.Network.Head.call(features, c.Words);
            return nn.functional.cross_entropy(logits.flatten(0, 1), c.Targets.flatten(), ignore_index: 0) + penalty;
        }

        /// <summary>
        /// VQA: the share of questions answered right; captioner: the share of caption words (and ends) predicted
        /// right from their prefix.
        /// </summary>
        public double Accuracy(VisionLanguageModel model)
        {
            using var noGradient = no_grad();
            long right = 0, total = 0;
            for (int start = 0; start < Count; start += 64)
            {
                using var scope = NewDisposeScope();
                int[] batch = Usable(model, Enumerable.Range(start, Math.Min(64, Count - start)));
                if (batch.Length == 0) continue;
                Tensor features = Features(model, batch);
                if (model.Task == VisionLanguageTasks.Vqa)
                {
                    if (Questions(batch) is not { } q) continue;
                    Tensor predicted =
                        ((IQuestionAnswerer)model.Network.Head).AnswerMany(features, q.Questions, q.Images)
                        .argmax(-1);
                    right += predicted.eq(q.Answers).sum().item<long>();
                    total += q.Answers.shape[0];
                }
                else
                {
                    if (Captions(batch) is not { } c) continue;
                    Tensor predicted = model.Network.Head.call(features, c.Words).argmax(-1);
                    Tensor counted = c.Targets.ne(0);
                    right += predicted.eq(c.Targets).logical_and(counted).sum().item<long>();
                    total += counted.sum().item<long>();
                }
            }
            return total == 0 ? 0 : right / (double)total;
        }

        public void Dispose() => Inputs.Dispose();

        private Tensor Features(VisionLanguageModel model, int[] batch)
        {
            using Tensor indices = tensor(batch.Select(i => (long)i).ToArray());
            Tensor selected = Inputs.index_select(0, indices);
            return !_encoded && model.Network.Encoder is { } encoder ? encoder.call(selected) : selected;
        }

        private (Tensor Questions, Tensor Images, Tensor Answers)? Questions(int[] batch)
        {
            var asked = batch.SelectMany((scene, image) => _texts[scene].Questions.Select(q => (q, image))).ToArray();
            if (asked.Length == 0) return null;
            int length = asked.Max(a => a.q.Words.Length);
            // Left-padded, so that the LSTM's last step reads the question's last word.
            long[] words = asked.SelectMany(a => Enumerable.Repeat((long)Vocabulary.PaddingId,
                length - a.q.Words.Length).Concat(a.q.Words.Select(w => (long)w))).ToArray();
            return (tensor(words).reshape(asked.Length, length), tensor(asked.Select(a => (long)a.image).ToArray()),
                tensor(asked.Select(a => (long)a.q.Answer).ToArray()));
        }

        private (Tensor Words, Tensor Targets)? Captions(int[] batch) =>
            batch.Length == 0 ? null : Pad(batch.Select(scene => _texts[scene].Caption).ToArray());

        /// <summary>
        /// The scenes of <paramref name="batch"/> that a model can learn from (a caption, a question).
        /// </summary>
        public int[] Usable(VisionLanguageModel model, IEnumerable<int> batch) => batch.Where(scene =>
            model.Task == VisionLanguageTasks.Vqa
                ? _texts[scene].Questions.Count > 0 : _texts[scene].Caption.Length > 0)
            .ToArray();

        private static (Tensor Words, Tensor Targets) Pad(int[][] captions)
        {
            int length = captions.Max(c => c.Length);
            long[] words = captions.SelectMany(c => c.Select(w => (long)w)
                .Concat(Enumerable.Repeat(0L, length - c.Length))).ToArray();
            long[] targets = captions.SelectMany(c => c.Select(w => (long)w).Append(Vocabulary.EndId)
                .Concat(Enumerable.Repeat(0L, length - c.Length))).ToArray();
            return (tensor(words).reshape(captions.Length, length),
                tensor(targets).reshape(captions.Length, length + 1));
        }
    }
}
