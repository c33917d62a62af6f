using GradCamSharp.Maps;

namespace GradCamSharp.Scenes;

/// <summary>A photo with boxes around its objects.</summary>
/// <param name="Path">The photo's file.</param>
/// <param name="Objects">Its objects, nearest first where boxes overlap.</param>
/// <param name="Complete">Whether every object of interest is boxed, so that the rest of the photo is
/// background.</param>
public sealed record AnnotatedPhoto(string Path, IReadOnlyList<AnnotatedObject> Objects, bool Complete)
{
    /// <summary>The file name, e.g. "dog.jpg".</summary>
    public string Name => System.IO.Path.GetFileName(Path);

    /// <summary>The objects in front of <paramref name="item"/> whose boxes overlap it.</summary>
    public IEnumerable<AnnotatedObject> InFrontOf(AnnotatedObject item)
    {
        ArgumentNullException.ThrowIfNull(item);
        foreach (AnnotatedObject other in Objects)
        {
            if (ReferenceEquals(other, item)) yield break;
            if (other.Box.IntersectionOverUnion(item.Box) > 0) yield return other;
        }
    }
}

/// <summary>One boxed object of a photo.</summary>
/// <param name="Label">What it is, e.g. "dog".</param>
/// <param name="Box">Where, in the photo's pixels.</param>
public sealed record AnnotatedObject(string Label, Box Box);
