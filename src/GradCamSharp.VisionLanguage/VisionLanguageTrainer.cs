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
                if (recipe.EncoderFrom is { } source) TakeOverEncoder(encoder, source, recipe, progress);
                else
                {
                    using Tensor coverage = ConceptPretraining.Coverage(scenes,
                        scenes[0].Width / ShapeEncoder.Stride, recipe.Concepts);
                    ConceptPretraining.Train(encoder, training.Inputs, coverage, recipe, progress, cancellation);
                }
                if (recipe.FreezeEncoder)
                {
                    // The taught concepts stay as they are; the head learns over their features, computed once.
                    foreach (TorchSharp.Modules.Parameter parameter in encoder.parameters())
                        parameter.requires_grad = false;
                    training.Encode(encoder, progress, "training");
                    check.Encode(encoder, progress, "held-out");
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

    /// <summary>Copies the encoder of the model that <paramref name="source"/> names.</summary>
    private static void TakeOverEncoder(Module<Tensor, Tensor> encoder, string source, VisionLanguageRecipe recipe,
        IProgress<string>? progress)
    {
        using VisionLanguageModel from = VisionLanguageCatalog.Load(source);
        VisionLanguageRecipe made = from.File.Training;
        if (from.Network.Encoder is not { } taught || made.ConceptEpochs == 0 || made.Concepts != recipe.Concepts)
        {
            throw new UsageException($"{source} has no encoder taught {recipe.Concepts} concepts to take over " +
                $"(it was trained with {made.ConceptEpochs} concept epochs of {made.Concepts})");
        }
        using var noGradient = no_grad();
        encoder.load_state_dict(taught.state_dict());
        progress?.Report($"encoder: taken over from {from.Name} (its {made.ConceptEpochs} epochs of " +
            $"{made.Concepts} concepts over {made.Scenes} scenes of seed {made.Seed})");
    }

    /// <summary>Scenes ready for steps: encoder inputs (or frozen features) and texts as ids.</summary>
    private sealed class TrainingSet : IDisposable
    {
        private readonly IReadOnlyList<SceneTexts> _texts;

        /// <summary>
        /// [N, T + 1, cells] for the longest caption's T words: per scene, where the caption's next object lies
        /// before each word (zeros after its end); null without find supervision.
        /// </summary>
        private readonly Tensor? _objectAhead;

        private TrainingSet(Tensor inputs, IReadOnlyList<SceneTexts> texts, bool encoded, Tensor? objectAhead)
        {
            Inputs = inputs;
            _texts = texts;
            _encoded = encoded;
            _objectAhead = objectAhead;
        }

        private bool _encoded;

        public int Count => _texts.Count;

        /// <summary>The prepared scenes, or their features where the encoder is frozen.</summary>
        public Tensor Inputs { get; private set; }

        /// <summary>Replaces the prepared scenes by their features under a frozen <paramref name="encoder"/>.</summary>
        public void Encode(Module<Tensor, Tensor> encoder, IProgress<string>? progress, string what)
        {
            encoder.eval();
            Tensor features = InChunks(Inputs.shape[0], 64, (start, length) =>
                encoder.call(Inputs.narrow(0, start, length)), progress, what);
            Inputs.Dispose();
            Inputs = features;
            _encoded = true;
        }

        public static TrainingSet Build(VisionLanguageModel model, List<Scene> scenes,
            IProgress<string>? progress, string what)
        {
            bool frozen = model.Network.Encoder is null;
            Tensor inputs = InChunks(scenes.Count, 16, (start, length) =>
            {
                Tensor input = model.Prepare(scenes.Skip((int)start).Take((int)length).Select(s => s.Image));
                return frozen ? model.Features(input) : input;
            }, frozen ? progress : null, what);
            SceneTexts[] texts = [.. scenes.Select(s => SceneTextEncoder.Encode(s, model))];
            Tensor? ahead = model.File.Training.FindSupervision > 0 ? ObjectAhead(scenes, texts) : null;
            return new TrainingSet(inputs, texts, frozen, ahead);
        }

        /// <summary>
        /// [N, T + 1, cells] for captions of at most T words: before word t, the cells of the object that word or
        /// the first naming word after it speaks of (1 where the object covers at least half a cell, less where
        /// less); zeros before the end, which names nothing, and after it.
        /// </summary>
        private static Tensor ObjectAhead(List<Scene> scenes, SceneTexts[] texts)
        {
            int side = scenes[0].Width / ShapeEncoder.Stride, cells = side * side;
            int steps = texts.Max(t => t.Caption.Length) + 1;
            var ahead = new float[scenes.Count * steps * cells];
            for (int n = 0; n < scenes.Count; n++)
            {
                Scene scene = scenes[n];
                int words = texts[n].Caption.Length;
                if (scene.CaptionGrounding.Count != words) continue;
                var coverage = new Dictionary<int, float[]>();
                int? next = null;
                // From the end backwards, so that each word knows the next object named from it on.
                for (int t = words - 1; t >= 0; t--)
                {
                    next = scene.CaptionGrounding[t] ?? next;
                    if (next is not int index) continue;
                    if (!coverage.TryGetValue(index, out float[]? covered))
                    {
                        coverage[index] = covered = scene.Objects[index].CellCoverage(scene.Width, side);
                    }
                    int offset = (n * steps + t) * cells;
                    for (int cell = 0; cell < cells; cell++) ahead[offset + cell] = Math.Min(1f, 2 * covered[cell]);
                }
            }
            return tensor(ahead).view(scenes.Count, steps, cells);
        }

        /// <summary>
        /// <paramref name="part"/>'s results for <paramref name="count"/> scenes, <paramref name="chunk"/> at a time,
        /// joined, without gradients and with only one chunk's intermediate values alive at a time.
        /// </summary>
        private static Tensor InChunks(long count, int chunk, Func<long, long, Tensor> part,
            IProgress<string>? progress, string what)
        {
            using var noGradient = no_grad();
            var parts = new List<Tensor>();
            for (long start = 0; start < count; start += chunk)
            {
                using var scope = NewDisposeScope();
                parts.Add(part(start, Math.Min(chunk, count - start)).MoveToOuterDisposeScope());
                long done = Math.Min(count, start + chunk);
                if (done / 400 > start / 400 || done == count)
                    progress?.Report($"{what}: features of {done}/{count} scenes");
            }
            Tensor joined = cat(parts, 0);
            foreach (Tensor piece in parts) piece.Dispose();
            return joined;
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
            (Tensor logits, Tensor? found) = ((CaptionDecoderHead)model.Network.Head).ReadTeacherForced(features,
                c.Words);
            Tensor loss = nn.functional.cross_entropy(logits.flatten(0, 1), c.Targets.flatten(), ignore_index: 0)
                + penalty;
            if (_objectAhead is null || found is null) return loss;
            return loss + model.File.Training.FindSupervision * FindLoss(found, batch);
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

        /// <summary>
        /// The mean over the words that have an object ahead of minus the log of the attention's share on it.
        /// </summary>
        private Tensor FindLoss(Tensor found, int[] batch)
        {
            using Tensor indices = tensor(batch.Select(i => (long)i).ToArray());
            Tensor where = _objectAhead!.index_select(0, indices).narrow(1, 0, found.shape[1]);
            Tensor supervised = where.sum(-1).gt(0);
            Tensor share = (found * where).sum(-1);
            return -(share + 1e-6).log().masked_select(supervised).mean();
        }

        public void Dispose()
        {
            Inputs.Dispose();
            _objectAhead?.Dispose();
        }

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
