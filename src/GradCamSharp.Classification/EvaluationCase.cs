using GradCamSharp.Maps;
using SkiaSharp;

namespace GradCamSharp.Classification;

/// <summary>One annotated object: a photo, the object's label and its box in the photo's pixels.</summary>
/// <param name="Image">The photo.</param>
/// <param name="Label">What the object is.</param>
/// <param name="Box">Where.</param>
public sealed record EvaluationCase(string Image, string Label, Box Box)
{
    /// <summary>The boxes of the photo's objects that are nearer than this one (they hide part of its box).</summary>
    public IReadOnlyList<Box> Occluders { get; init; } = [];

    /// <summary>The photo's other objects, for class discrimination.</summary>
    public IReadOnlyList<EvaluationNeighbour> Others { get; init; } = [];

    /// <summary>
    /// Makes the picture when it is not a file (a composite scene); the caller disposes it. Null: <see cref="Image"/>
    /// is read.
    /// </summary>
    public Func<SKBitmap>? Picture { get; init; }
}

/// <summary>Another object of the same photo.</summary>
/// <param name="Label">What it is.</param>
/// <param name="Box">Where.</param>
/// <param name="Occluders">The boxes of objects nearer than it.</param>
/// <param name="BehindTheCase">Whether the evaluated object is in front of it where their boxes overlap.</param>
public sealed record EvaluationNeighbour(string Label, Box Box, IReadOnlyList<Box> Occluders, bool BehindTheCase);
