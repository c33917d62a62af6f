using GradCamSharp.Imaging;
using GradCamSharp.Models;

namespace GradCamSharp.Pipeline;

/// <summary>Builds a head that scores concepts of the user's own on a model's features.</summary>
public static class Concepts
{
    /// <summary>
    /// A head over <paramref name="features"/> (which it owns) scoring each concept by the cosine similarity of a
    /// photo's pooled features to the mean features of the concept's examples.
    /// </summary>
    /// <exception cref="UsageException">No concepts, or two with the same name.</exception>
    public static PrototypeClassifier Head(IExplainableModel features, Preprocessing preprocessing,
        IReadOnlyList<Concept> concepts)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(concepts);
        if (concepts.Count == 0) throw new UsageException("no concepts given");
        string[] names = concepts.Select(c => c.Name).ToArray();
        if (names.Distinct(StringComparer.OrdinalIgnoreCase).Count() != names.Length)
            throw new UsageException("concept names must differ");
        float[][] vectors =
            concepts.Select(c => PrototypeSet.MeanFeature(features, preprocessing, c.Examples)).ToArray();
        return new PrototypeClassifier(features, names, vectors);
    }
}
