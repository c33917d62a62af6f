namespace GradCamSharp.Factorization;

/// <summary>The result of <see cref="DeepFeatureFactorization.Factorize"/>.</summary>
/// <param name="Layer">The layer factorised.</param>
/// <param name="Concepts">The concepts, in NMF's order.</param>
/// <param name="RelativeError">||V - W H|| / ||V|| of the layer's shifted activations V: how much the concepts
/// leave out.</param>
public sealed record ConceptFactorization(string Layer, IReadOnlyList<FactorizedConcept> Concepts,
    double RelativeError);
