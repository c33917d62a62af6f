using static TorchSharp.torch;

namespace GradCamSharp.Methods;

/// <summary>What <see cref="GradientExplainer.RunForward"/> produced.</summary>
/// <param name="Output">The model output.</param>
/// <param name="DifferentiateWith">The leaf the scores are differentiated with respect to.</param>
/// <param name="Layer">Its name: a layer, or "input".</param>
/// <param name="InputHeight">The input's height, for upsampling.</param>
/// <param name="InputWidth">The input's width.</param>
/// <param name="Input">The model input of this pass (for methods that run the model again, such as Score-CAM).</param>
public sealed record ForwardResult(Tensor Output, Tensor DifferentiateWith, string Layer, long InputHeight, long InputWidth, Tensor? Input = null);
