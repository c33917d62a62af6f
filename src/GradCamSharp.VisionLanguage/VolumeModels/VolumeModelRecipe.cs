namespace GradCamSharp.VisionLanguage.VolumeModels;

/// <summary>
/// What <see cref="VolumeModelTrainer"/> trains on, for how long, from which seed. The defaults are the shipped
/// <c>volumes-cnn</c>'s recipe.
/// </summary>
public sealed record VolumeModelRecipe
{
    /// <summary>Training volumes (seed <see cref="Seed"/>, volumes 0 to this - 1).</summary>
    public int Volumes { get; init; } = 3000;

    /// <summary>Passes over the training volumes.</summary>
    public int Epochs { get; init; } = 10;

    /// <summary>Seeds the volumes, the initial weights and the batches' order.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>The seed of the volumes checked after every epoch: never one trained on.</summary>
    public int HeldOutSeed => Seed + 1;

    /// <summary>Volumes checked after every epoch, drawn from <see cref="HeldOutSeed"/>.</summary>
    public int HeldOutVolumes { get; init; } = 300;

    /// <summary>Volumes per step.</summary>
    public int BatchSize { get; init; } = 32;

    /// <summary>The one-cycle schedule's peak learning rate.</summary>
    public double LearningRate { get; init; } = 3e-3;

    /// <summary>Refuses numbers that cannot train.</summary>
    /// <exception cref="UsageException">One of them is out of range.</exception>
    public void Validate()
    {
        if (Volumes < 1 || Epochs < 1 || BatchSize < 1 || HeldOutVolumes < 1)
            throw new UsageException("volumes, epochs, batch size and held-out volumes must be at least 1");
        if (LearningRate is not (> 0 and < 1)) throw new UsageException("the learning rate must be in (0, 1)");
    }
}
