using System.Text.Json.Serialization;

namespace GradCamSharp.Catalog.Heads;

/// <summary>The recipe of a trained head; the same recipe and seed give the same head.</summary>
public sealed record HeadTrainingOptions
{
    /// <summary>The seed of every scene and of the held-out split.</summary>
    [JsonPropertyName("seed")] public int Seed { get; init; } = 1;

    /// <summary>How many composite scenes (objects pasted onto other photos) to learn from.</summary>
    [JsonPropertyName("composites")] public int Composites { get; init; } = 480;

    /// <summary>
    /// How many windows of the annotated photos (objects in context, parts, backgrounds, whole photos).
    /// </summary>
    [JsonPropertyName("crops")] public int Crops { get; init; } = 480;

    /// <summary>Every n-th scene is held out, to measure the head on scenes it never saw.</summary>
    [JsonPropertyName("held_out_every")] public int HeldOutEvery { get; init; } = 10;

    /// <summary>Full-batch optimisation steps (Adam).</summary>
    [JsonPropertyName("steps")] public int Steps { get; init; } = 300;

    /// <summary>Adam's learning rate.</summary>
    [JsonPropertyName("learning_rate")] public double LearningRate { get; init; } = 0.01;

    /// <summary>L2 weight decay.</summary>
    [JsonPropertyName("weight_decay")] public double WeightDecay { get; init; } = 1e-4;

    /// <summary>The weight of the image-level loss beside the per-cell loss.</summary>
    [JsonPropertyName("image_loss_weight")] public double ImageLossWeight { get; init; } = 0.5;

    /// <summary>Throws if inconsistent.</summary>
    public void Validate()
    {
        if (Composites < 0 || Crops < 0 || Composites + Crops < 2)
            throw new UsageException($"a head needs scenes to learn from: --composites {Composites} --crops {Crops}");
        if (Steps < 1) throw new UsageException($"--steps must be at least 1, got {Steps}");
        if (HeldOutEvery < 2) throw new UsageException($"held_out_every must be at least 2, got {HeldOutEvery}");
        if (LearningRate <= 0) throw new UsageException($"the learning rate must be positive, got {LearningRate}");
    }
}
