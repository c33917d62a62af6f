namespace GradCamSharp.Catalog;

/// <summary>A concept of the user's own: a name and example images of it.</summary>
/// <param name="Name">The class name the head will score.</param>
/// <param name="Examples">Example images, each optionally only a box of it.</param>
public sealed record Concept(string Name, IReadOnlyList<ConceptExample> Examples)
{
    /// <summary>Parses a <c>--concept NAME=IMG[,IMG...]</c> value.</summary>
    /// <exception cref="UsageException">Malformed.</exception>
    public static Concept Parse(string text)
    {
        (string name, IReadOnlyList<ConceptExample> examples) = ConceptExample.ParseConcept(text);
        return new Concept(name, examples);
    }
}
