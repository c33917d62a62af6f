using GradCamSharp.Models;
using static TorchSharp.torch;

namespace GradCamSharp.Onnx;

/// <summary>
/// Explains an imported ONNX model. Every node output is a layer. Where the explained output comes straight out of a
/// Softmax, the Softmax's input is explained instead, because Grad-CAM differentiates the score before the softmax.
/// </summary>
public sealed class OnnxExplainableModel : IExplainableModel, ILayerKinds
{
    private readonly OnnxModule _module;
    private readonly string _imageInput;
    private readonly IReadOnlyDictionary<string, Tensor> _otherInputs;
    private readonly string[] _output;

    /// <summary>Wraps <paramref name="module"/>.</summary>
    /// <param name="module">The imported graph.</param>
    /// <param name="imageInput">The input that receives the image; default: the only (or first) input.</param>
    /// <param name="otherInputs">Fixed values for any other inputs (a question's tokens, a caption prefix).</param>
    /// <param name="output">The output to explain; default: the first graph output.</param>
    /// <param name="scoreBeforeSoftmax">Explain the logits feeding a final Softmax rather than its probabilities.</param>
    public OnnxExplainableModel(OnnxModule module, string? imageInput = null, IReadOnlyDictionary<string, Tensor>? otherInputs = null,
        string? output = null, bool scoreBeforeSoftmax = true)
    {
        ArgumentNullException.ThrowIfNull(module);
        _module = module;
        _imageInput = imageInput ?? module.InputNames.FirstOrDefault() ?? throw new ArgumentException("the model has no inputs");
        _otherInputs = otherInputs ?? new Dictionary<string, Tensor>();
        string explained = output ?? module.OutputNames[0];
        if (scoreBeforeSoftmax && module.OperatorOf(explained) is "Softmax" && module.FirstInputOf(explained) is string logits)
        {
            SkippedSoftmax = explained;
            explained = logits;
        }
        ExplainedOutput = explained;
        _output = [explained];
    }

    /// <inheritdoc />
    public string Name => _module.GetName();

    /// <summary>The imported graph.</summary>
    public OnnxModule Module => _module;

    /// <summary>The value whose entries are the scores explained.</summary>
    public string ExplainedOutput { get; }

    /// <summary>The Softmax output that was bypassed, if any.</summary>
    public string? SkippedSoftmax { get; }

    /// <inheritdoc />
    public IReadOnlyList<string> LayerNames => _module.ValueNames;

    /// <inheritdoc />
    public string KindOf(string name) => _module.OperatorOf(name);

    /// <inheritdoc />
    public Tensor Forward(Tensor input, ForwardTaps taps)
    {
        var inputs = new Dictionary<string, Tensor>(_otherInputs) { [_imageInput] = input };
        return _module.Run(inputs, taps, _output)[ExplainedOutput];
    }

    /// <inheritdoc />
    public IDisposable BeginExplanation() => NothingToRestore.Instance;

    /// <summary>Imported weights are frozen tensors, never parameters: there is no state to save.</summary>
    private sealed class NothingToRestore : IDisposable
    {
        public static NothingToRestore Instance { get; } = new();

        public void Dispose() { }
    }
}
