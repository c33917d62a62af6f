using TorchSharp;

namespace GradCamSharp.Models;

/// <summary>
/// A layer that adds a bias, and the bias it adds (see <see cref="IExplainableModel.LayerBiases()"/>).
/// </summary>
/// <param name="Layer">The layer's name, as <see cref="ForwardTaps.ReplaceEveryLayerOutput"/> receives it.</param>
/// <param name="Bias">[C] the bias, added along the output's dimension 1 (channels or features).</param>
public sealed record LayerBias(string Layer, torch.Tensor Bias);
