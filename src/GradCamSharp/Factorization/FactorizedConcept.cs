using GradCamSharp.Maps;

namespace GradCamSharp.Factorization;

/// <summary>One concept of a <see cref="DeepFeatureFactorization"/>: where it is, and what the model makes of it.
/// </summary>
/// <param name="Index">Its position among the concepts, from 0.</param>
/// <param name="Maps">Per sample, where the concept is, at the input's resolution and scaled to [0, 1].</param>
/// <param name="Embedding">[C] the concept's activation vector at the layer (NMF's column, the offset added back).
/// </param>
/// <param name="Classes">The classes the concept raises most, best first: the model's softmax over its classes when
/// every position of the layer holds the embedding.</param>
public sealed record FactorizedConcept(int Index, IReadOnlyList<Heatmap> Maps, float[] Embedding,
    IReadOnlyList<(int ClassIndex, double Probability)> Classes);
