using static TorchSharp.torch;

namespace GradCamSharp.Targets;

/// <summary>One score column chosen by a target.</summary>
/// <param name="Values">[N] the score of every sample; must stay connected to the autograd graph.</param>
/// <param name="ClassIndices">The class each sample's score belongs to, or null where the score is not a class.</param>
/// <param name="Name">A description for manifests, e.g. "class 238" or "caption".</param>
public sealed record TargetScore(Tensor Values, IReadOnlyList<int>? ClassIndices, string Name);
