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
    /// features leave textured backgrounds dark in Grad-CAM maps.
    /// </summary>
    [JsonPropertyName("feature_sparsity")] public double FeatureSparsity { get; init; } = 0.1;

    /// <summary>Scenes checked after every epoch; they come from <see cref="HeldOutSeed"/>.</summary>
    [JsonPropertyName("held_out_scenes")] public int HeldOutScenes { get; init; } = 200;

    /// <summary>The seed of the per-epoch check: never a training seed.</summary>
    [JsonIgnore] public int HeldOutSeed => Seed + 1;

    /// <summary>
    /// The recipe of the shipped model of <paramref name="task"/> for <paramref name="world"/>: 6000 scenes and 10
    /// epochs for the shape world (the CNN learns too); 2000 scenes and 20 epochs for the photo world, whose frozen
    /// ResNet18 needs no sparsity penalty.
    /// </summary>
    public static VisionLanguageRecipe For(string task, string world) => world == "photos"
        ? new VisionLanguageRecipe { Task = task, World = world, Scenes = 2000, Epochs = 20, FeatureSparsity = 0 }
        : new VisionLanguageRecipe { Task = task, World = world };

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
        if (FeatureSparsity < 0) throw new UsageException($"feature sparsity must be >= 0, got {FeatureSparsity}");
        if (LearningRate is <= 0 or > 1)
            throw new UsageException($"the learning rate must lie in (0, 1], got {LearningRate}");
    }
}
