using System.Text.Json.Serialization;

namespace GradCamSharp.VisionLanguage;

/// <summary>How a captioner or VQA model is trained: enough to reproduce its weights exactly.</summary>
public sealed record VisionLanguageRecipe
{
    /// <summary>"captioner" or "vqa".</summary>
    [JsonPropertyName("task")] public string Task { get; init; } = VisionLanguageTasks.Vqa;

    /// <summary>"shapes" or "photos".</summary>
    [JsonPropertyName("world")] public string World { get; init; } = "shapes";

    /// <summary>Training scenes: indices 0 to Scenes - 1 of <see cref="Seed"/>.</summary>
    [JsonPropertyName("scenes")] public int Scenes { get; init; } = 6000;

    /// <summary>Passes over the training scenes.</summary>
    [JsonPropertyName("epochs")] public int Epochs { get; init; } = 10;

    /// <summary>Seeds the scenes, the initial weights and the order of batches.</summary>
    [JsonPropertyName("seed")] public int Seed { get; init; } = 1;

    /// <summary>Scenes per step.</summary>
    [JsonPropertyName("batch")] public int BatchSize { get; init; } = 32;

    /// <summary>Adam's step size.</summary>
    [JsonPropertyName("learning_rate")] public double LearningRate { get; init; } = 2e-3;

    /// <summary>
    /// The weight of an L1 penalty on a trained encoder's output features (none for a frozen encoder): sparse
    /// features leave textured backgrounds dark in Grad-CAM maps. During concept pretraining it falls on the
    /// background cells alone.
    /// </summary>
    [JsonPropertyName("feature_sparsity")] public double FeatureSparsity { get; init; } = 0.1;

    /// <summary>
    /// Passes of <see cref="ConceptPretraining"/> over the training scenes before the head learns (the encoder then
    /// learns on with the head); 0 starts the encoder from random weights (and nothing for a frozen ResNet18).
    /// </summary>
    [JsonPropertyName("concept_epochs")] public int ConceptEpochs { get; init; }

    /// <summary>
    /// The head: <see cref="StackedAttentionHead"/> (<see cref="VqaHead"/> or <see cref="CaptionHead"/>, the default
    /// of models saved before the choice existed) or <see cref="GatedHead"/> (<see cref="GatedVqaHead"/> or
    /// <see cref="GatedCaptionHead"/>).
    /// </summary>
    [JsonPropertyName("head")] public string Head { get; init; } = StackedAttentionHead;

    /// <summary>
    /// What concept pretraining teaches each group of channels: <see cref="SeparateConcepts"/> (a colour or a shape)
    /// or <see cref="PairedConcepts"/> (one colour-and-shape pair).
    /// </summary>
    [JsonPropertyName("concepts")] public string Concepts { get; init; } = SeparateConcepts;

    /// <summary>The head of <see cref="VqaHead"/>.</summary>
    public const string StackedAttentionHead = "stacked-attention";

    /// <summary>The head of <see cref="GatedVqaHead"/>.</summary>
    public const string GatedHead = "gated";

    /// <summary>Concept groups for each colour and each shape.</summary>
    public const string SeparateConcepts = "colors-and-shapes";

    /// <summary>A concept group for each colour-and-shape pair.</summary>
    public const string PairedConcepts = "color-shape-pairs";

    /// <summary>
    /// Whether the shape world's encoder stops learning after concept pretraining (the head alone then learns, over
    /// the taught concepts' features).
    /// </summary>
    [JsonPropertyName("freeze_encoder")] public bool FreezeEncoder { get; init; }

    /// <summary>
    /// The weight of a second loss for a gated captioner: before each word, the head's attention should find the
    /// object the caption speaks of next (its cells, from the scene's masks), as Selvaraju et al.'s HINT aligns a
    /// model's attention with where people look. 0: the words alone teach it.
    /// </summary>
    [JsonPropertyName("find_supervision")] public double FindSupervision { get; init; }

    /// <summary>
    /// A shape-world model (a shipped name or a .json path) whose frozen, concept-pretrained encoder this model takes
    /// over instead of pretraining its own; its concept settings must be this recipe's. Null: pretrain here.
    /// </summary>
    [JsonPropertyName("encoder_from")] public string? EncoderFrom { get; init; }

    /// <summary>Scenes checked after every epoch; they come from <see cref="HeldOutSeed"/>.</summary>
    [JsonPropertyName("held_out_scenes")] public int HeldOutScenes { get; init; } = 200;

    /// <summary>The seed of the per-epoch check: never a training seed.</summary>
    [JsonIgnore] public int HeldOutSeed => Seed + 1;

    /// <summary>
    /// The recipe of the shipped model of <paramref name="task"/> for <paramref name="world"/>: in the shape world
    /// 6000 scenes and 10 epochs of a gated head over a frozen CNN whose channels were first taught the 25
    /// colour-and-shape pairs (6 epochs, a light sparsity penalty on the background); the captioner takes over the
    /// VQA model's CNN rather than teaching its own again. In the photo world 2000 scenes and 20 epochs of the head
    /// alone over the frozen ResNet18.
    /// </summary>
    public static VisionLanguageRecipe For(string task, string world)
    {
        if (world == "photos")
        {
            return new VisionLanguageRecipe
            {
                Task = task, World = world, Scenes = 2000, Epochs = 20, FeatureSparsity = 0,
            };
        }
        var shapes = new VisionLanguageRecipe
        {
            Task = task, World = world, ConceptEpochs = 6, FeatureSparsity = 0.01, Head = GatedHead,
            Concepts = PairedConcepts, FreezeEncoder = true,
        };
        return task == VisionLanguageTasks.Vqa ? shapes
            : shapes with { EncoderFrom = VisionLanguageCatalog.ShapesVqa, FindSupervision = 1 };
    }

    /// <summary>Throws a usage error if the recipe cannot run.</summary>
    public void Validate()
    {
        VisionLanguageTasks.Check(Task);
        if (World is not ("shapes" or "photos"))
            throw new UsageException($"unknown world '{World}'; known: shapes, photos");
        if (Scenes < 8) throw new UsageException($"--scenes must be at least 8, got {Scenes}");
        if (Epochs < 1) throw new UsageException($"--epochs must be at least 1, got {Epochs}");
        if (BatchSize < 1) throw new UsageException($"the batch size must be at least 1, got {BatchSize}");
        if (HeldOutScenes < 1) throw new UsageException($"held-out scenes must be at least 1, got {HeldOutScenes}");
        if (ConceptEpochs < 0) throw new UsageException($"concept epochs must be >= 0, got {ConceptEpochs}");
        if (ConceptEpochs > 0 && World != "shapes")
            throw new UsageException("concept pretraining needs the shape world's masks and its trained CNN");
        if (Head is not (StackedAttentionHead or GatedHead))
            throw new UsageException($"unknown head '{Head}'; known: {StackedAttentionHead}, {GatedHead}");
        if (Concepts is not (SeparateConcepts or PairedConcepts))
            throw new UsageException($"unknown concepts '{Concepts}'; known: {SeparateConcepts}, {PairedConcepts}");
        if (FreezeEncoder && ConceptEpochs == 0)
            throw new UsageException("a frozen encoder needs concept pretraining first");
        if (EncoderFrom is not null && (World != "shapes" || !FreezeEncoder))
            throw new UsageException("only a frozen shape-world encoder can be taken over from another model");
        if (FindSupervision < 0) throw new UsageException($"find supervision must be >= 0, got {FindSupervision}");
        if (FindSupervision > 0 && (Task != VisionLanguageTasks.Captioner || Head != GatedHead))
            throw new UsageException("find supervision needs a gated captioner, whose attention finds one object");
        if (Task == VisionLanguageTasks.Captioner && Head == GatedHead && FindSupervision == 0)
            throw new UsageException("a gated captioner's hard attention learns only from find supervision (> 0)");
        if (FindSupervision > 0 && World != "shapes")
            throw new UsageException("find supervision needs the shape world's masks at its encoder's resolution");
        if (FeatureSparsity < 0) throw new UsageException($"feature sparsity must be >= 0, got {FeatureSparsity}");
        if (LearningRate is <= 0 or > 1)
            throw new UsageException($"the learning rate must lie in (0, 1], got {LearningRate}");
    }
}
