using GradCamSharp.Models;

namespace GradCamSharp.Runtime;

/// <summary>Turns a model into a concept scorer: one cosine-similarity score per user-defined concept.</summary>
public static class Concepts
{
    /// <summary>
    /// A model whose scores are the similarities of a photo's pooled features to the mean features of each concept's
    /// examples. The features are those under the default model's prototype head, or the output of any other model.
    /// </summary>
    /// <param name="model">The loaded model; its prototype head (if any) is replaced.</param>
    /// <param name="concepts">Each concept's name and example images.</param>
    public static LoadedModel Apply(LoadedModel model, IReadOnlyList<(string Name, IReadOnlyList<ConceptExample> Examples)> concepts)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(concepts);
        if (concepts.Count == 0) return model;
        IExplainableModel features = model.Model is PrototypeClassifier head ? head.Features : model.Model;
        string[] names = concepts.Select(c => c.Name).ToArray();
        if (names.Distinct(StringComparer.OrdinalIgnoreCase).Count() != names.Length) throw new ArgumentException("concept names must differ");
        float[][] vectors = concepts.Select(c => PrototypeSet.MeanFeature(features, model.Preprocessing, c.Examples)).ToArray();
        var classifier = new PrototypeClassifier(features, names, vectors);
        return new LoadedModel
        {
            Name = model.Name + "+concepts",
            Model = classifier,
            Preprocessing = model.Preprocessing,
            Labels = names,
            DefaultLayer = model.DefaultLayer,
            Notice = model.Notice,
            Owned = new CompositeDisposable(classifier, model),
        };
    }
}
