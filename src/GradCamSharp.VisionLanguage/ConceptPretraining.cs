using GradCamSharp.Scenes;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace GradCamSharp.VisionLanguage;

/// <summary>
/// Teaches the shape world's CNN what is where before it reads any text, as ImageNet taught the paper's VGG-16
/// before neuraltalk2 was trained on it: at every cell of its map, the features must tell which colours and which
/// shapes cover the cell (the share of the cell's pixels, from the scene's exact masks), each concept read from its
/// own group of channels. Features learnt this way are about objects and local, so the head's gradient, averaged per
/// channel by Grad-CAM, weighs channels that are active on the object named and dark elsewhere. The encoder then
/// goes on learning with the head, from the texts (frozen, it left the VQA model at 0.73 accuracy; fine-tuned, 0.95).
/// </summary>
internal static class ConceptPretraining
{
    /// <summary>The separate concepts: the shape world's colours, then its shapes.</summary>
    public static IReadOnlyList<string> Concepts { get; } = [.. ShapeWorld.ColorNames, .. ShapeWorld.ShapeNames];

    /// <summary>The paired concepts: each colour with each shape, "red circle", "red square", ...</summary>
    public static IReadOnlyList<string> PairedConcepts => ShapeWorld.PairNames;

    /// <summary>The concepts of a recipe's <see cref="VisionLanguageRecipe.Concepts"/>.</summary>
    public static IReadOnlyList<string> ConceptsFor(string kind) =>
        kind == VisionLanguageRecipe.PairedConcepts ? PairedConcepts : Concepts;

    /// <summary>
    /// [N, concepts, cells, cells] targets: the share of each cell covered by an object of each concept (each colour
    /// and each shape, or each colour-and-shape pair).
    /// </summary>
    /// <param name="scenes">Shape-world scenes, all of one size.</param>
    /// <param name="cells">The side of the encoder's map (the scene's side must be a multiple of it).</param>
    /// <param name="kind">Separate or paired concepts (<see cref="VisionLanguageRecipe.Concepts"/>).</param>
    public static Tensor Coverage(IReadOnlyList<Scene> scenes, int cells,
        string kind = VisionLanguageRecipe.SeparateConcepts)
    {
        ArgumentNullException.ThrowIfNull(scenes);
        int side = scenes[0].Width, block = side / cells;
        if (block * cells != side || scenes.Any(s => s.Width != side || s.Height != side))
            throw new ArgumentException($"scenes must be square and a multiple of {cells} pixels wide");
        IReadOnlyList<string> concepts = ConceptsFor(kind);
        int planeSize = cells * cells;
        var coverage = new float[scenes.Count * concepts.Count * planeSize];
        for (int n = 0; n < scenes.Count; n++)
        {
            foreach (SceneObject shape in scenes[n].Objects)
            {
                int[] planes = kind == VisionLanguageRecipe.PairedConcepts ? [Plane($"{shape.Color} {shape.Label}")]
                    : [Plane(shape.Color), Plane(shape.Label)];
                float[] covered = shape.CellCoverage(side, cells);
                foreach (int plane in planes)
                {
                    int offset = ((n * concepts.Count) + plane) * planeSize;
                    for (int cell = 0; cell < planeSize; cell++) coverage[offset + cell] += covered[cell];
                }
            }
        }
        return tensor(coverage).reshape(scenes.Count, concepts.Count, cells, cells);

        int Plane(string? concept)
        {
            int plane = concept is null ? -1 : concepts.ToList().IndexOf(concept);
            return plane >= 0 ? plane
                : throw new ArgumentException($"'{concept}' is not a shape-world colour or shape", nameof(scenes));
        }
    }

    /// <summary>Trains <paramref name="encoder"/> to tell each cell's colours and shapes.</summary>
    /// <param name="encoder">The shape world's CNN.</param>
    /// <param name="inputs">[N, 3, H, W] prepared scenes.</param>
    /// <param name="coverage">Their <see cref="Coverage"/>.</param>
    /// <param name="recipe">Epochs, batch size, learning rate, sparsity and seed.</param>
    /// <param name="progress">Receives a line per epoch.</param>
    /// <param name="cancellation">Stops between steps.</param>
    public static void Train(Module<Tensor, Tensor> encoder, Tensor inputs, Tensor coverage,
        VisionLanguageRecipe recipe, IProgress<string>? progress, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(encoder);
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(coverage);
        ArgumentNullException.ThrowIfNull(recipe);
        int concepts = ConceptsFor(recipe.Concepts).Count, perConcept = ShapeEncoder.ChannelsFor(recipe) / concepts;
        // Each concept's logit is the mean of its own group of channels plus a bias: a channel may only be active
        // where its concept is (a concept bottleneck, Koh et al. 2020), so objects that share no colour or shape
        // share no active channel.
        using var bias = new TorchSharp.Modules.Parameter(zeros(1, concepts, 1, 1));
        // A pair covers a cell a fifth as often as a colour or a shape does: its rarer presence weighs as much
        // (five times), or every pair channel would learn to stay off.
        float presence = recipe.Concepts == VisionLanguageRecipe.PairedConcepts
            ? PairedConcepts.Count / (float)ShapeWorld.ShapeNames.Count : 1f;
        encoder.train();
        using var optimizer = optim.Adam([.. encoder.parameters(), bias], recipe.LearningRate);
        var order = new Random(recipe.Seed);
        long count = inputs.shape[0];
        for (int epoch = 1; epoch <= recipe.ConceptEpochs; epoch++)
        {
            long[] shuffled = [.. Enumerable.Range(0, (int)count).Select(i => (long)i).OrderBy(_ => order.Next())];
            double lossSum = 0;
            int steps = 0;
            for (int start = 0; start < shuffled.Length; start += recipe.BatchSize)
            {
                cancellation.ThrowIfCancellationRequested();
                using var scope = NewDisposeScope();
                Tensor batch = tensor(shuffled[start..Math.Min(shuffled.Length, start + recipe.BatchSize)]);
                Tensor beforeReLU = BeforeOutput(encoder, inputs.index_select(0, batch));
                Tensor features = functional.relu(beforeReLU);
                Tensor covered = coverage.index_select(0, batch);
                // The penalty falls on the background alone: objects may use every feature they need, and the
                // features of empty cells (plain, noisy or striped) go to zero, so no weighted sum can light them.
                Tensor background = 1 - Covered(covered, recipe.Concepts).clamp(0, 1);
                // Read before the ReLU, so that a channel pushed below zero on the background still learns.
                Tensor logits = beforeReLU.unflatten(1, [concepts, perConcept]).mean([2]) + bias;
                Tensor loss = CrossEntropy(logits, covered, presence)
                    + (features * background).mean() * recipe.FeatureSparsity;
                optimizer.zero_grad();
                loss.backward();
                optimizer.step();
                lossSum += loss.item<float>();
                steps++;
            }
            progress?.Report($"concepts {epoch}/{recipe.ConceptEpochs}: loss {lossSum / Math.Max(1, steps):F4}");
        }
        encoder.eval();
        NormaliseScale(encoder, inputs, progress);
    }

    /// <summary>Binary cross-entropy of concept logits against coverage, the presence term weighted.</summary>
    private static Tensor CrossEntropy(Tensor logits, Tensor covered, float presence) => presence == 1f
        ? functional.binary_cross_entropy_with_logits(logits, covered)
        : -(covered * functional.logsigmoid(logits) * presence + (1 - covered) * functional.logsigmoid(-logits))
            .mean();

    /// <summary>[N, 1, h, w]: the share of each cell that some object covers.</summary>
    private static Tensor Covered(Tensor coverage, string kind) => kind == VisionLanguageRecipe.PairedConcepts
        ? coverage.sum(1, keepdim: true)
        // Every object has one colour, so the colour planes add up to the objects' share of the cell.
        : coverage.narrow(1, 0, ShapeWorld.ColorNames.Count).sum(1, keepdim: true);

    private static VisionLanguageRecipe Shipped => VisionLanguageRecipe.For(VisionLanguageTasks.Vqa, "shapes");

    /// <summary>The encoder's output before its last ReLU.</summary>
    private static Tensor BeforeOutput(Module<Tensor, Tensor> encoder, Tensor input)
    {
        Tensor value = input;
        foreach ((string name, Module module) in encoder.named_children())
        {
            if (name == ShapeEncoder.OutputLayer) break;
            value = ((Module<Tensor, Tensor>)module).call(value);
        }
        return value;
    }

    /// <summary>
    /// Rescales the last convolution so that the features' root mean square is 1, the scale a freshly initialised
    /// head expects (the concept logits, read before the ReLU, leave the features' scale free).
    /// Scaling a convolution before a ReLU scales its output exactly, so the encoder's maps keep their shape.
    /// </summary>
    private static void NormaliseScale(Module<Tensor, Tensor> encoder, Tensor inputs, IProgress<string>? progress)
    {
        using var scope = NewDisposeScope();
        using var noGradient = no_grad();
        Tensor features = encoder.call(inputs.narrow(0, 0, Math.Min(512, inputs.shape[0])));
        double rms = features.square().mean().sqrt().item<float>();
        double active = features.gt(0).to_type(ScalarType.Float32).mean().item<float>();
        if (rms <= 0)
        {
            // Early on every concept is absent from most cells, so all features are first pushed below zero; only
            // more steps bring the objects' back.
            throw new UsageException("concept pretraining left every feature at zero: train on more scenes or " +
                "for more concept epochs (the shipped recipe takes " +
                $"{Shipped.Scenes} scenes and {Shipped.ConceptEpochs} epochs)");
        }
        var parameters = encoder.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        parameters[$"{ShapeEncoder.LastConvolution}.weight"].div_(rms);
        parameters[$"{ShapeEncoder.LastConvolution}.bias"].div_(rms);
        progress?.Report($"concepts: features active on {active:P1} of cells, scaled by {1 / rms:G3} to unit RMS");
    }
}
