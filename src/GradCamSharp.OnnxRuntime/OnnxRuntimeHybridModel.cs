using System.Collections.Concurrent;
using GradCamSharp.Models;
using Microsoft.ML.OnnxRuntime;
using static TorchSharp.torch;
using Tensor = TorchSharp.torch.Tensor;
using TensorElementType = Microsoft.ML.OnnxRuntime.Tensors.TensorElementType;
using GradCamSharp.Onnx;

namespace GradCamSharp.OnnxRuntime;

/// <summary>
/// An imported ONNX model that runs in ONNX Runtime whatever part of the graph needs no gradient, and in TorchSharp
/// only the rest. A CAM method needs gradients from its target layer onward: ONNX Runtime computes the layer and every
/// other value the rest of the graph reads, and TorchSharp runs only that tail with autograd (for a ResNet at
/// <c>layer4</c>, a pooling and one linear layer). A pass that needs no gradient at all (Score-CAM's masked inputs,
/// occlusion, plain predictions) runs wholly in ONNX Runtime. Passes that need the ReLUs on the way back (Guided
/// Backpropagation, the deconvnet), every layer's value, or gradients at the input run in TorchSharp as before.
/// </summary>
/// <remarks>
/// Each part (the whole graph, or the graph up to a layer) becomes one ONNX Runtime session the first time it is
/// needed, and is kept. Where ONNX Runtime cannot load or run a part, that part falls back to TorchSharp for good,
/// and <c>notice</c> receives one line saying so.
/// </remarks>
public sealed class OnnxRuntimeHybridModel : IExplainableModel
{
    private readonly OnnxExplainableModel _model;
    private readonly Action<string>? _notice;
    private readonly ConcurrentDictionary<string, Lazy<RuntimePart?>> _parts = new(StringComparer.Ordinal);
    private readonly SessionOptions _options;
    private readonly object _creation = new();
    private bool _disposed;

    /// <summary>Runs <paramref name="model"/> in ONNX Runtime where it can.</summary>
    /// <param name="model">The imported model (owned: disposed with this one).</param>
    /// <param name="notice">Receives one line for each part that falls back to TorchSharp.</param>
    /// <example>
    /// <code>
    /// using var model = new OnnxRuntimeHybridModel(new OnnxExplainableModel(OnnxModule.Load("resnet50.onnx")),
    ///     Console.Error.WriteLine);
    /// IReadOnlyList&lt;Explanation&gt; maps = new GradCam(model).Explain(input, new TopClassesTarget(3));
    /// </code>
    /// </example>
    public OnnxRuntimeHybridModel(OnnxExplainableModel model, Action<string>? notice = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        _model = model;
        _notice = notice;
        _options = new SessionOptions { LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR };
        // ONNX Runtime's workers spin after each run by default, taking the cores the TorchSharp tail needs next.
        _options.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
    }

    /// <summary>The TorchSharp model every gradient runs through.</summary>
    public OnnxExplainableModel Inner => _model;

    /// <summary>How many passes ran a part in ONNX Runtime (for tests and benchmarks).</summary>
    public int RuntimePasses => _runtimePasses;

    private int _runtimePasses;

    /// <inheritdoc />
    public string Name => _model.Name;

    /// <inheritdoc />
    public string? ReluObstacle => _model.ReluObstacle;

    /// <inheritdoc />
    public IReadOnlyList<LayerBias> LayerBiases() => _model.LayerBiases();

    /// <inheritdoc />
    public IReadOnlyList<string> AttentionLayers => _model.AttentionLayers;

    /// <inheritdoc />
    public IReadOnlyList<string> LayerNames => _model.LayerNames;

    /// <inheritdoc />
    public string? AutomaticLayer => _model.AutomaticLayer;

    /// <inheritdoc />
    public string KindOf(string layer) => _model.KindOf(layer);

    /// <inheritdoc />
    public string? FindLayer(string requested) => _model.FindLayer(requested);

    /// <inheritdoc />
    public IReadOnlyList<string> SuggestLayers(string requested, int count) => _model.SuggestLayers(requested, count);

    /// <inheritdoc />
    public void ValidateInput(Tensor input) => _model.ValidateInput(input);

    /// <inheritdoc />
    public long[]? DeclaredInputShape => _model.DeclaredInputShape;

    /// <inheritdoc />
    public IDisposable BeginExplanation() => _model.BeginExplanation();

    /// <inheritdoc />
    public Tensor Forward(Tensor input, ForwardTaps taps)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(taps);
        // A detector's graph takes one image: a batch runs image by image in TorchSharp.
        if (_model.Detections is not null && input.shape[0] != 1) return _model.Forward(input, taps);
        bool runtimeCan = !taps.GuidedRelu && !taps.DeconvnetRelu && taps.ReplaceEveryLayerOutput is null
            && !input.requires_grad && (taps.Layer is null || taps.Layer != _model.ImageInput);
        if (taps.ObserveEveryLayer is not null)
        {
            // Named values observed in a gradient-free pass: extra outputs of one ONNX Runtime session.
            if (!runtimeCan || taps.Layer is not null || taps.ObservedLayers is not { Count: > 0 } observed
                || RunPart(ObservedKey(observed), input) is not Dictionary<string, Tensor> seen)
            {
                return _model.Forward(input, taps);
            }
            foreach (string name in observed) taps.ObserveEveryLayer(name, seen[name]);
            return _model.Explained(seen);
        }
        if (!runtimeCan || RunPart(taps.Layer ?? "", input) is not Dictionary<string, Tensor> values)
            return _model.Forward(input, taps);
        if (taps.Layer is not string layer) return _model.Explained(values);
        Tensor layerValue = values[layer];
        Tensor replaced = taps.ReplaceLayerOutput?.Invoke(layerValue) ?? layerValue;
        return _model.Explained(_model.Module.RunTail(layer, replaced, values, _model.ExplainedOutputs));
    }

    /// <inheritdoc />
    /// <remarks>The layer and what the tail reads come from ONNX Runtime; the tail runs in TorchSharp.</remarks>
    public ModelTail? SplitAt(Tensor input, string layer)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentException.ThrowIfNullOrEmpty(layer);
        if (input.requires_grad || !_model.Module.ValueNames.Contains(layer, StringComparer.Ordinal)
            || (_model.Detections is not null && input.shape[0] != 1)
            || RunPart(layer, input) is not Dictionary<string, Tensor> computed)
        {
            return _model.SplitAt(input, layer);
        }
        return _model.TailAfter(layer, computed);
    }

    /// <inheritdoc />
    /// <remarks>
    /// A pass still running on another thread (a request whose client went away) keeps its session alive until it
    /// ends: the native session is never freed under a running pass.
    /// </remarks>
    public void Dispose()
    {
        lock (_creation)
        {
            if (_disposed) return;
            _disposed = true;
            _options.Dispose();
        }
        foreach (Lazy<RuntimePart?> part in _parts.Values)
        {
            if (part.IsValueCreated) part.Value?.Dispose();
        }
        _model.Dispose();
    }

    /// <summary>
    /// The values of the part of the graph that ends at <paramref name="layer"/> ("" for the whole) computed by ONNX
    /// Runtime, or null where it cannot (the part then falls back to TorchSharp for good, with a notice).
    /// </summary>
    private Dictionary<string, Tensor>? RunPart(string layer, Tensor input)
    {
        RuntimePart? part = _parts.GetOrAdd(layer, key => new Lazy<RuntimePart?>(() => Create(key, input))).Value;
        if (part is null || !part.TryEnter()) return null;
        try
        {
            Dictionary<string, Tensor> values = part.Run(_model, input);
            Interlocked.Increment(ref _runtimePasses);
            return values;
        }
        catch (OnnxRuntimeException exception)
        {
            // The session is freed once the last pass using it ends (this one, in the finally below).
            _parts[layer] = new Lazy<RuntimePart?>((RuntimePart?)null);
            part.Dispose();
            Notify(layer, exception);
            return null;
        }
        finally
        {
            part.Exit();
        }
    }

    private void Notify(string layer, Exception exception) =>
        _notice?.Invoke($"ONNX Runtime cannot run {Name} up to " +
            $"{(layer.Length == 0 ? "its output" : layer.StartsWith(ObservedPrefix, StringComparison.Ordinal)
                ? "its output and the values observed" : $"'{layer}'")} ({FirstLine(exception.Message)}); " +
            "TorchSharp runs it instead");

    /// <summary>The key of the part that returns <paramref name="observed"/> beside the output.</summary>
    private static string ObservedKey(IReadOnlyList<string> observed) => ObservedPrefix + string.Join('\n', observed);

    private const string ObservedPrefix = "\0observed\n";

    private RuntimePart? Create(string layer, Tensor input)
    {
        IReadOnlyList<string> explained = _model.ExplainedOutputs;
        string[] outputs = layer.Length == 0 ? [.. explained]
            : layer.StartsWith(ObservedPrefix, StringComparison.Ordinal) ? [.. explained,
                .. layer[ObservedPrefix.Length..].Split('\n').Except(explained)]
            : [layer, .. _model.Module.TailInputs(layer, explained)];
        try
        {
            // One TorchSharp pass tells each value's element type; ONNX Runtime then computes them for every input.
            using var scope = NewDisposeScope();
            using var noGradient = no_grad();
            var inputs = new Dictionary<string, Tensor>(_model.OtherInputs) { [_model.ImageInput] = input[..1] };
            IReadOnlyDictionary<string, Tensor> typed = _model.Module.Run(inputs, outputs: outputs);
            byte[] graph = _model.Module.WithOutputs(outputs.Select(name => (name, typed[name].dtype)));
            // Graphs exported for one image at a time (such as the default model's featurizer) run a batch image by
            // image, still in ONNX Runtime.
            bool oneAtATime = _model.Module.DeclaredShape(_model.ImageInput) is [1, ..];
            lock (_creation)
            {
                // As many threads as LibTorch's (ONNX Runtime's default counts physical cores, half of them here).
                _options.IntraOpNumThreads = get_num_threads();
                return _disposed ? null : new RuntimePart(new InferenceSession(graph, _options), outputs, oneAtATime);
            }
        }
        catch (Exception exception) when (exception is OnnxRuntimeException or NotSupportedException
            or InvalidOperationException or ArgumentException)
        {
            Notify(layer, exception);
            return null;
        }
    }

    private static string FirstLine(string message) => message.Split('\n')[0].Trim();

    /// <summary>One ONNX Runtime session computing some values of the graph.</summary>
    private sealed class RuntimePart(InferenceSession session, string[] outputs, bool oneAtATime) : IDisposable
    {
        private readonly object _gate = new();
        private int _running;
        private bool _disposed;

        /// <summary>Counts a pass in, unless the part is disposed.</summary>
        public bool TryEnter()
        {
            lock (_gate)
            {
                if (_disposed) return false;
                _running++;
                return true;
            }
        }

        /// <summary>Counts a pass out; the last one out of a disposed part frees the session.</summary>
        public void Exit()
        {
            lock (_gate)
            {
                if (--_running == 0 && _disposed) session.Dispose();
            }
        }

        public Dictionary<string, Tensor> Run(OnnxExplainableModel model, Tensor input)
        {
            if (!oneAtATime || input.shape[0] == 1) return RunBatch(model, input);
            List<Dictionary<string, Tensor>> each =
                [.. Enumerable.Range(0, (int)input.shape[0]).Select(i => RunBatch(model, input.narrow(0, i, 1)))];
            // Per-sample values are stacked; shape vectors and other values without a sample axis are the same
            // for every image.
            return outputs.ToDictionary(name => name, name => each[0][name].dim() >= 2 && each[0][name].shape[0] == 1
                ? cat([.. each.Select(values => values[name])], 0) : each[0][name], StringComparer.Ordinal);
        }

        private Dictionary<string, Tensor> RunBatch(OnnxExplainableModel model, Tensor input)
        {
            var names = new List<string>();
            var values = new List<OrtValue>();
            var feeds = new List<Tensor>();
            try
            {
                foreach ((string name, Tensor value) in model.OtherInputs.Append(new(model.ImageInput, input)))
                {
                    names.Add(name);
                    Tensor feed = value.detach().contiguous();
                    feeds.Add(feed);
                    values.Add(ToRuntime(feed));
                }
                using var runOptions = new RunOptions();
                using IDisposableReadOnlyCollection<OrtValue> results = session.Run(runOptions, names, values,
                    outputs);
                var computed = new Dictionary<string, Tensor>(StringComparer.Ordinal);
                for (int i = 0; i < outputs.Length; i++) computed[outputs[i]] = ToTorch(results[i]);
                return computed;
            }
            finally
            {
                foreach (OrtValue value in values) value.Dispose();
                foreach (Tensor feed in feeds) feed.Dispose();
            }
        }

        public void Dispose()
        {
            lock (_gate)
            {
                if (_disposed) return;
                _disposed = true;
                if (_running == 0) session.Dispose();
            }
        }

        /// <summary>
        /// A copy of <paramref name="feed"/> (contiguous, on the CPU) in memory of ONNX Runtime's, copied natively
        /// rather than through a managed array. ONNX Runtime numbers its element types as ONNX's TensorProto does.
        /// </summary>
        private static OrtValue ToRuntime(Tensor feed)
        {
            var type = (TensorElementType)OnnxTensors.OnnxTypeOf(feed.dtype);
            OrtValue value = OrtValue.CreateAllocatedTensorValue(OrtAllocator.DefaultInstance, type, feed.shape);
            feed.bytes.CopyTo(value.GetTensorMutableDataAsSpan<byte>());
            return value;
        }

        private static Tensor ToTorch(OrtValue value)
        {
            OrtTensorTypeAndShapeInfo info = value.GetTensorTypeAndShape();
            ScalarType type = OnnxTensors.ScalarTypeOf((int)info.ElementDataType)
                ?? throw new NotSupportedException($"ONNX Runtime values of type {info.ElementDataType}");
            Tensor copy = empty(info.Shape, type);
            value.GetTensorDataAsSpan<byte>().CopyTo(copy.bytes);
            return copy;
        }
    }
}
