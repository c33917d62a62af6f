namespace GradCamSharp.Scenes;

/// <summary>How <see cref="PhotoWorld"/> composes its scenes.</summary>
public sealed record PhotoWorldOptions
{
    /// <summary>The side of the square scenes, in pixels.</summary>
    public int Size { get; init; } = 224;

    /// <summary>The fewest objects in a scene.</summary>
    public int MinObjects { get; init; } = 1;

    /// <summary>The most objects in a scene.</summary>
    public int MaxObjects { get; init; } = 3;

    /// <summary>The smallest longest side of a pasted object, as a fraction of the scene's side.</summary>
    public double MinScale { get; init; } = 0.3;

    /// <summary>The largest longest side of a pasted object, as a fraction of the scene's side.</summary>
    public double MaxScale { get; init; } = 0.65;

    /// <summary>The labels objects are drawn from; null for every annotated label.</summary>
    public IReadOnlyCollection<string>? Labels { get; init; }

    /// <summary>Throws if inconsistent.</summary>
    public void Validate()
    {
        if (Size < 32) throw new UsageException($"scenes must be at least 32 pixels wide, got {Size}");
        if (MinObjects < 0 || MaxObjects < MinObjects)
            throw new UsageException($"object counts must satisfy 0 <= min <= max, got {MinObjects}..{MaxObjects}");
        if (MinScale <= 0 || MaxScale > 1 || MaxScale < MinScale)
            throw new UsageException($"object scales must satisfy 0 < min <= max <= 1, got {MinScale}..{MaxScale}");
    }
}
