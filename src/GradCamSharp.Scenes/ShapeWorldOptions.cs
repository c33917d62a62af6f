namespace GradCamSharp.Scenes;

/// <summary>How <see cref="ShapeWorld"/> draws its scenes.</summary>
public sealed record ShapeWorldOptions
{
    /// <summary>The side of the square scenes, in pixels.</summary>
    public int Size { get; init; } = 128;

    /// <summary>The fewest objects in a scene.</summary>
    public int MinObjects { get; init; } = 1;

    /// <summary>The most objects in a scene.</summary>
    public int MaxObjects { get; init; } = 4;

    /// <summary>The smallest object radius, as a fraction of the side.</summary>
    public double MinRadius { get; init; } = 0.08;

    /// <summary>The largest object radius, as a fraction of the side.</summary>
    public double MaxRadius { get; init; } = 0.14;

    /// <summary>Throws if inconsistent.</summary>
    public void Validate()
    {
        if (Size < 64) throw new UsageException($"shape scenes must be at least 64 pixels wide, got {Size}");
        if (MinObjects < 1 || MaxObjects < MinObjects || MaxObjects > 6)
        {
            throw new UsageException(
                $"object counts must satisfy 1 <= min <= max <= 6, got {MinObjects}..{MaxObjects}");
        }
        if (MinRadius <= 0.02 || MaxRadius > 0.2 || MaxRadius < MinRadius)
            throw new UsageException($"radii must satisfy 0.02 < min <= max <= 0.2, got {MinRadius}..{MaxRadius}");
    }
}
