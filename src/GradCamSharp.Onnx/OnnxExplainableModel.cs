using System.Globalization;
using GradCamSharp.Models;
using static TorchSharp.torch;

namespace GradCamSharp.Onnx;

/// <summary>
/// Explains an imported ONNX model. Every value computed from the input is a layer, addressed by its ONNX value name
/// or by the PyTorch module path of the exporter's scopes (<c>layer4</c> is the last value under <c>/layer4/</c>).
/// Where the explained output comes straight out of a Softmax, the Softmax's input is explained instead, because
/// Grad-CAM differentiates the score before the softmax.
/// </summary>
/// <remarks>The model owns the imported graph and disposes it, unless created with <c>leaveOpen</c>.</remarks>
/// <example>
/// <code>
/// using var model = new OnnxExplainableModel(OnnxModule.Load("resnet50.onnx"));
/// var maps = new GradCam(model, new CamOptions { Layer = "layer4" }).Explain(input, new TopClassesTarget(3));
/// </code>
/// </example>
public sealed class OnnxExplainableModel : IExplainableModel
{
    private readonly OnnxModule _module;
    private readonly string _imageInput;
    private readonly IReadOnlyDictionary<string, Tensor> _otherInputs;
    private readonly string[] _output;
    private readonly bool _leaveOpen;

    /// <summary>Wraps <paramref name="module"/>.</summary>
    /// <param name="module">The imported graph.</param>
    /// <param name="imageInput">The input that receives the image; default: the only (or first) input.</param>
    /// <param name="otherInputs">Fixed values for any other inputs (a question's tokens, a caption prefix).</param>
    /// <param name="output">The output to explain; default: the first graph output, or for a detector that lists its
    /// detections (torchvision's: boxes [D, 4], scores [D], labels [D]) the three as one <see cref="Targets.BoxList"/>.
    /// </param>
    /// <param name="scoreBeforeSoftmax">Explain the logits feeding a final Softmax rather than its
    /// probabilities.</param>
    /// <param name="leaveOpen">Whether the graph stays alive when this model is disposed.</param>
    public OnnxExplainableModel(OnnxModule module, string? imageInput = null,
        IReadOnlyDictionary<string, Tensor>? otherInputs = null, string? output = null, bool scoreBeforeSoftmax = true,
        bool leaveOpen = false)
    {
        ArgumentNullException.ThrowIfNull(module);
        _module = module;
        _leaveOpen = leaveOpen;
        // Found by fuzzing: a graph may declare no inputs or no outputs; that is a malformed model, not a crash.
        _imageInput = imageInput ?? (module.InputNames.Count > 0 ? module.InputNames[0]
            : throw new OnnxImportException($"'{module.GetName()}' has no graph inputs"));
        _otherInputs = otherInputs ?? new Dictionary<string, Tensor>();
        string explained = output ?? (module.OutputNames.Count > 0 ? module.OutputNames[0]
            : throw new OnnxImportException($"'{module.GetName()}' has no graph outputs"));
        if (output is null && ListedDetections.Find(module) is ListedDetections listed)
        {
            Detections = listed;
            ExplainedOutput = listed.Scores;
            _output = [listed.Boxes, listed.Scores, listed.Labels];
            return;
        }
        if (scoreBeforeSoftmax && module.OperatorOf(explained) is "Softmax"
            && module.FirstInputOf(explained) is string logits)
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

    /// <inheritdoc />
    public string? ReluObstacle => _module.HasOperator("Relu") ? null : ForwardTaps.NoReluObstacle;

    /// <inheritdoc />
    public IReadOnlyList<LayerBias> LayerBiases() => _module.Biases();

    /// <inheritdoc />
    public IReadOnlyList<string> AttentionLayers => _attentionLayers ??= _module.AttentionValues();

    private IReadOnlyList<string>? _attentionLayers;

    /// <summary>The values fed to the graph's other inputs.</summary>
    public IReadOnlyDictionary<string, Tensor> OtherInputs => _otherInputs;

    /// <summary>The input the image is fed to.</summary>
    public string ImageInput => _imageInput;

    /// <summary>The value whose entries are the scores explained.</summary>
    public string ExplainedOutput { get; }

    /// <summary>The outputs of a detector that lists its detections, explained together as a box list; null for
    /// other models.</summary>
    public ListedDetections? Detections { get; }

    /// <inheritdoc />
    /// <remarks>
    /// A detector's: the backbone's last map that every detection depends on (pytorch-grad-cam's detection tutorials
    /// explain the backbone's maps). Heads read several maps of a backbone (SSD's levels, a feature pyramid's), and
    /// a detection made at a fine level does not depend on the coarser maps after it: the backbone's very last map
    /// would leave its map blank. Without such a map, the backbone's output.
    /// </remarks>
    public string? AutomaticLayer => Detections is null ? null : _automaticLayer ??=
        _module.Bottlenecks(_output).LastOrDefault(value => value.StartsWith("/backbone/", StringComparison.Ordinal))
        ?? _module.ModuleOutputs.GetValueOrDefault("backbone");

    private string? _automaticLayer;

    /// <summary>The graph outputs the explained tensor is made of: <see cref="ExplainedOutput"/>, or a detector's
    /// three.</summary>
    public IReadOnlyList<string> ExplainedOutputs => _output;

    /// <summary>The explained tensor from computed values holding <see cref="ExplainedOutputs"/> (of one sample, for
    /// a detector).</summary>
    public Tensor Explained(IReadOnlyDictionary<string, Tensor> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        return Detections is null ? values[ExplainedOutput] : ListPerImage(1, _ => values);
    }

    /// <summary>
    /// A detector's box list for <paramref name="images"/> images, from the outputs <paramref name="run"/> gives for
    /// each image alone: its graph takes one (torchvision's exports unroll their per-image loop).
    /// </summary>
    private Tensor ListPerImage(long images, Func<int, IReadOnlyDictionary<string, Tensor>> run) =>
        Targets.BoxList.Stack([.. Enumerable.Range(0, (int)images).Select(k => Detections!.Rows(run(k)))]);

    /// <summary>The Softmax output that was bypassed, if any.</summary>
    public string? SkippedSoftmax { get; }

    /// <inheritdoc />
    public IReadOnlyList<string> LayerNames => _module.ValueNames;

    /// <inheritdoc />
    public string KindOf(string layer) => _module.OperatorOf(layer);

    /// <inheritdoc />
    public string? FindLayer(string requested)
    {
        ArgumentNullException.ThrowIfNull(requested);
        if (_module.ValueNames.Contains(requested, StringComparer.Ordinal)) return requested;
        string path = requested.Trim('/').Replace('/', '.');
        return _module.ModuleOutputs.GetValueOrDefault(path);
    }

    /// <inheritdoc />
    /// <remarks>Module paths first (<c>layer4</c>, <c>features.12</c>): they are what PyTorch users type.</remarks>
    public IReadOnlyList<string> SuggestLayers(string requested, int count)
    {
        IReadOnlyList<string> modules = LayerSuggestions.Closest(requested, _module.ModuleOutputs.Keys, count);
        return modules.Count >= count ? modules
            : [.. modules, .. LayerSuggestions.Closest(requested, _module.ValueNames, count - modules.Count)];
    }

    /// <inheritdoc />
    public long[]? DeclaredInputShape => _module.DeclaredShape(_imageInput);

    /// <inheritdoc />
    public void ValidateInput(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (_module.DeclaredShape(_imageInput) is not long[] declared) return;
        bool fits = declared.Length == input.dim()
            && declared.Select((d, i) => i == 0 || d <= 0 || d == input.shape[i]).All(ok => ok);
        if (!fits)
        {
            string expected = string.Join(", ",
                declared.Select((d, i) => i == 0 ? "N" : d > 0 ? d.ToString(CultureInfo.InvariantCulture) : "?"));
            throw new UsageException($"{Name} expects its input '{_imageInput}' as [{expected}], got " +
                $"[{string.Join(", ", input.shape)}]; check the preprocessing (channels first, size)");
        }
    }

    /// <inheritdoc />
    /// <exception cref="ObjectDisposedException">The model was disposed.</exception>
    public Tensor Forward(Tensor input, ForwardTaps taps)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (Detections is null)
        {
            var inputs = new Dictionary<string, Tensor>(_otherInputs) { [_imageInput] = input };
            return _module.Run(inputs, taps, _output)[ExplainedOutput];
        }
        return ListPerImage(input.shape[0], k => _module.Run(
            new Dictionary<string, Tensor>(_otherInputs) { [_imageInput] = input[k..(k + 1)] }, taps, _output));
    }

    /// <inheritdoc />
    /// <remarks>
    /// The values the tail reads besides the layer (another input, a value skipping past the layer) are computed once;
    /// those of one sample are repeated to the size of each batch the tail runs on.
    /// </remarks>
    public ModelTail? SplitAt(Tensor input, string layer)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentException.ThrowIfNullOrEmpty(layer);
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (!_module.ValueNames.Contains(layer, StringComparer.Ordinal)) return null;
        if (Detections is not null && input.shape[0] != 1)
            throw new UsageException($"{Name} lists its detections: it is explained one image at a time");
        IReadOnlyList<string> tailInputs = _module.TailInputs(layer, _output);
        var inputs = new Dictionary<string, Tensor>(_otherInputs) { [_imageInput] = input };
        return TailAfter(layer, _module.Run(inputs, outputs: [.. tailInputs, layer]));
    }

    /// <summary>
    /// The tail after <paramref name="layer"/>, given the layer's value and every value the tail reads (computed by
    /// this model or by another runtime) for one sample.
    /// </summary>
    internal ModelTail TailAfter(string layer, IReadOnlyDictionary<string, Tensor> computed) =>
        new(computed[layer], values =>
        {
            long batch = values.shape[0];
            if (Detections is not null)
            {
                // One sample at a time, as the forward pass: the values beside the layer are one sample's already.
                Dictionary<string, Tensor> beside = computed.Where(p => p.Key != layer)
                    .ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
                return ListPerImage(batch, k => _module.RunTail(layer, values[k..(k + 1)], beside, _output));
            }
            Dictionary<string, Tensor> repeated = computed.Keys.Where(name => name != layer).ToDictionary(
                name => name, name => RepeatSample(computed[name], batch), StringComparer.Ordinal);
            return _module.RunTail(layer, values, repeated, _output)[ExplainedOutput];
        }, tailOnly: true);

    /// <summary>
    /// A per-sample value of one sample ([1, ...], rank 2 or more) as <paramref name="batch"/> samples; shape vectors
    /// and scalars, which have no sample axis, as they are.
    /// </summary>
    private static Tensor RepeatSample(Tensor value, long batch) =>
        value.dim() >= 2 && value.shape[0] == 1 && batch != 1 ? value.expand([batch, .. value.shape[1..]]) : value;

    /// <inheritdoc />
    /// <exception cref="ObjectDisposedException">The model was disposed.</exception>
    public IDisposable BeginExplanation()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return NothingToRestore.Instance;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (!_leaveOpen && !_disposed) _module.Dispose();
        _disposed = true;
    }

    /// <summary>Set by <see cref="Dispose"/>: explaining a disposed model says so (not "a value is missing").</summary>
    private bool _disposed;

    /// <summary>Imported weights are frozen tensors, never parameters: there is no state to save.</summary>
    private sealed class NothingToRestore : IDisposable
    {
        public static NothingToRestore Instance { get; } = new();

        public void Dispose() { }
    }
}
