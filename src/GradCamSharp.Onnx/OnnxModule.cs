using GradCamSharp.Models;
using GradCamSharp.Onnx.Operators;
using GradCamSharp.Onnx.Proto;
using Google.Protobuf;
using static TorchSharp.torch;

namespace GradCamSharp.Onnx;

/// <summary>
/// An ONNX graph run with torch operations, so that autograd, Guided Backprop and every CAM method work on it.
/// Initializers and Constant nodes become frozen tensors; every node output is addressable by its ONNX value name.
/// Unsupported operators, attributes or types fail in <see cref="Load(string)"/>, never at run time with wrong numbers.
/// </summary>
public sealed class OnnxModule : nn.Module<Tensor, Tensor>
{
    private readonly OnnxNode[] _nodes;
    private readonly Dictionary<string, Tensor> _constants;
    private readonly Dictionary<string, int> _producer;
    private readonly Dictionary<string, ExecutionPlan> _plans = new(StringComparer.Ordinal);
    private readonly Dictionary<string, TailPlan> _tails = new(StringComparer.Ordinal);
    private readonly Dictionary<string, SelectedRows?> _selections = new(StringComparer.Ordinal);
    private readonly string? _baseDirectory;

    private OnnxModule(string name, ModelProto proto, OnnxNode[] nodes, Dictionary<string, Tensor> constants,
        long opset, string? baseDirectory) : base(name)
    {
        Proto = proto;
        _baseDirectory = baseDirectory;
        _nodes = nodes;
        _constants = constants;
        Opset = opset;
        _producer = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < nodes.Length; i++)
        {
            foreach (string output in nodes[i].Outputs.Where(o => o.Length > 0)) _producer[output] = i;
        }
        InputNames = proto.Graph.Input.Select(v => v.Name).Where(n => !constants.ContainsKey(n)).ToArray();
        OutputNames = proto.Graph.Output.Select(v => v.Name).ToArray();
        // Values computed from constants alone (an initializer's Identity, shape arithmetic on weights) are not layers.
        var constant = new HashSet<string>(constants.Keys, StringComparer.Ordinal);
        var values = new List<string>();
        foreach (OnnxNode node in nodes)
        {
            bool fromConstants = node.Inputs.Where(i => i.Length > 0).All(constant.Contains);
            foreach (string output in node.Outputs.Where(o => o.Length > 0))
            {
                if (fromConstants) constant.Add(output);
                else values.Add(output);
            }
        }
        ValueNames = values;
        ModuleOutputs = ModulePaths(nodes, constant);
    }

    /// <summary>The model as read from the file.</summary>
    internal ModelProto Proto { get; }

    /// <summary>Whether any node of the graph is an <paramref name="opType"/> ("Relu").</summary>
    public bool HasOperator(string opType) => _nodes.Any(node => node.OpType == opType);

    /// <summary>
    /// The values that hold attention probabilities, in execution order: each Softmax output whose probabilities weight
    /// values through a MatMul (softmax(Q K^T / sqrt d) V), perhaps through an inference-mode Dropout, an Identity or
    /// a Cast on the way. Found from the graph, whatever the exporter named it.
    /// </summary>
    public IReadOnlyList<string> AttentionValues()
    {
        var passThrough = new HashSet<string>(StringComparer.Ordinal) { "Dropout", "Identity", "Cast" };
        bool ReachesMatMulAsWeights(string value, int depth) => depth < 4 && _nodes.Any(node =>
            (node.OpType == "MatMul" && node.Inputs.Length == 2 && node.Inputs[0] == value)
            || (passThrough.Contains(node.OpType) && node.Inputs.FirstOrDefault() == value && node.Outputs.Length > 0
                && ReachesMatMulAsWeights(node.Outputs[0], depth + 1)));
        var values = new HashSet<string>(ValueNames, StringComparer.Ordinal);
        return _nodes.Where(node => node.OpType == "Softmax" && node.Outputs.Length > 0
                && values.Contains(node.Outputs[0]) && ReachesMatMulAsWeights(node.Outputs[0], 0))
            .Select(node => node.Outputs[0]).ToArray();
    }

    /// <summary>The default-domain opset the model was exported with.</summary>
    public long Opset { get; }

    /// <summary>Graph inputs that are not initializers: what the caller must provide.</summary>
    public IReadOnlyList<string> InputNames { get; }

    /// <summary>Graph outputs.</summary>
    public IReadOnlyList<string> OutputNames { get; }

    /// <summary>
    /// Every node output in execution order that depends on an input: the names a target layer may be given. Values
    /// computed from constants alone are left out.
    /// </summary>
    public IReadOnlyList<string> ValueNames { get; }

    /// <summary>
    /// The last value produced under each module path of the exporter's node scopes, e.g. <c>layer4</c> or
    /// <c>features.1.block</c> for nodes named <c>/layer4/layer4.1/relu_1/Relu</c> or
    /// <c>/features/features.1/block/block.1/Mul</c>: the module's output, as a PyTorch user names it.
    /// </summary>
    public IReadOnlyDictionary<string, string> ModuleOutputs { get; }

    /// <summary>
    /// The declared shape of graph input <paramref name="name"/> (-1 for symbolic dimensions), or null.
    /// </summary>
    public long[]? DeclaredShape(string name) =>
        Proto.Graph.Input.Concat(Proto.Graph.Output).FirstOrDefault(v => v.Name == name)?.Type?.TensorType?.Shape?.Dim
            .Select(d => d.ValueCase == TensorShapeProto.Types.Dimension.ValueOneofCase.DimValue
                ? d.DimValue : -1).ToArray();

    /// <summary>The operator that produces value <paramref name="name"/>, e.g. "Conv".</summary>
    public string OperatorOf(string name) => _producer.TryGetValue(name, out int i) ? _nodes[i].OpType : "";

    /// <summary>The operator and node name that produce value <paramref name="name"/>.</summary>
    public (string OpType, string NodeName)? ProducerOf(string name) =>
        _producer.TryGetValue(name, out int i) ? (_nodes[i].OpType, _nodes[i].Name) : null;

    /// <summary>The value that feeds the node producing <paramref name="name"/> (its first input), or null.</summary>
    public string? FirstInputOf(string name) =>
        _producer.TryGetValue(name, out int i) ? _nodes[i].Inputs.FirstOrDefault() : null;

    /// <summary>Reads an ONNX file; its external data, if any, must lie in the file's folder.</summary>
    /// <exception cref="OnnxImportException">Unsupported content, or not an ONNX model.</exception>
    /// <exception cref="UnreadableInputException">No such file, or not a regular file that can be read.</exception>
    public static OnnxModule Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return Load(UntrustedFile.ReadAllBytes(path, "ONNX model"), Path.GetDirectoryName(Path.GetFullPath(path)),
            Path.GetFileNameWithoutExtension(path));
    }

    /// <summary>The largest ONNX model read from a stream: protobuf's own limit for one message.</summary>
    public const long MostStreamBytes = int.MaxValue;

    /// <summary>
    /// Reads the ONNX model <paramref name="stream"/> holds from its position to its end (a blob, an upload, an
    /// embedded resource); the stream is left open.
    /// </summary>
    /// <param name="stream">The serialized ModelProto.</param>
    /// <param name="name">The module's name, for messages.</param>
    /// <param name="baseDirectory">Where its external tensor data must lie; null for a model that names none.</param>
    /// <exception cref="OnnxImportException">Unsupported content, or not an ONNX model.</exception>
    /// <exception cref="UnreadableInputException">Empty, over 2 GB, or unreadable.</exception>
    /// <example>
    /// <code>
    /// using Stream resource = typeof(App).Assembly.GetManifestResourceStream("App.classifier.onnx")!;
    /// using var model = new OnnxExplainableModel(OnnxModule.Load(resource, "classifier"));
    /// </code>
    /// </example>
    public static OnnxModule Load(Stream stream, string name, string? baseDirectory = null) =>
        Load(UntrustedFile.ReadStream(stream, "ONNX model", MostStreamBytes), baseDirectory, name);

    /// <summary><see cref="Load(Stream, string, string?)"/> with the stream read asynchronously (the import is CPU
    /// work and runs on the caller's task).</summary>
    /// <exception cref="OnnxImportException">Unsupported content, or not an ONNX model.</exception>
    /// <exception cref="UnreadableInputException">Empty, over 2 GB, or unreadable.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public static async Task<OnnxModule> LoadAsync(Stream stream, string name, string? baseDirectory = null,
        CancellationToken cancellationToken = default)
    {
        byte[] bytes = await UntrustedFile.ReadStreamAsync(stream, "ONNX model", MostStreamBytes, cancellationToken)
            .ConfigureAwait(false);
        return Load(bytes, baseDirectory, name);
    }

    /// <summary><see cref="Load(string)"/> with the file read asynchronously; its external data, if any, must lie
    /// in the file's folder.</summary>
    /// <exception cref="OnnxImportException">Unsupported content, or not an ONNX model.</exception>
    /// <exception cref="UnreadableInputException">No such file, or not a regular file that can be read.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    /// <example>
    /// <code>
    /// using var model = new OnnxExplainableModel(await OnnxModule.LoadAsync("resnet50.onnx"));
    /// </code>
    /// </example>
    public static async Task<OnnxModule> LoadAsync(string path, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        byte[] bytes = await UntrustedFile.ReadAllBytesAsync(path, "ONNX model", cancellationToken: cancellationToken)
            .ConfigureAwait(false);
        return Load(bytes, Path.GetDirectoryName(Path.GetFullPath(path)), Path.GetFileNameWithoutExtension(path));
    }

    /// <summary>Reads an ONNX model held in memory.</summary>
    /// <param name="bytes">The serialized ModelProto.</param>
    /// <param name="baseDirectory">The model's folder, where its external tensor data must lie (see
    /// <see cref="ExternalData"/>); null for a model that may name no external data.</param>
    /// <param name="name">The module's name.</param>
    public static OnnxModule Load(byte[] bytes, string? baseDirectory, string name)
    {
        ModelProto proto;
        try
        {
            proto = ModelProto.Parser.ParseFrom(bytes);
        }
        catch (InvalidProtocolBufferException exception)
        {
            throw new OnnxImportException($"'{name}' is not an ONNX model: {exception.Message}", exception);
        }
        if (proto.Graph is null || proto.Graph.Node.Count == 0) throw new OnnxImportException($"'{name}' has no graph");
        long opset =
            proto.OpsetImport.Where(o => o.Domain is "" or "ai.onnx").Select(o => o.Version).DefaultIfEmpty(0).Max();
        if (opset == 0) throw new OnnxImportException($"'{name}' imports no default-domain opset");

        var constants = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        var nodes = new List<OnnxNode>();
        var externalData = new ExternalData(baseDirectory);
        try
        {
            using (no_grad())
            {
                foreach (TensorProto initializer in proto.Graph.Initializer)
                {
                    if (constants.ContainsKey(initializer.Name))
                        throw new OnnxImportException($"'{name}' has two initializers called " +
                            $"'{PrintableText.Printable(initializer.Name)}'");
                    constants[initializer.Name] =
                        OnnxTensors.ToTensor(initializer, externalData).DetachFromDisposeScope();
                }
                var defined = new HashSet<string>(constants.Keys, StringComparer.Ordinal);
                defined.UnionWith(proto.Graph.Input.Select(v => v.Name));
                nodes.AddRange(CompileNodes(proto.Graph.Node, opset, externalData, constants, defined, depth: 0));
                if (proto.Graph.Output.FirstOrDefault(o => !defined.Contains(o.Name)) is { } missing)
                    throw new OnnxImportException($"'{name}' has an output '{PrintableText.Printable(missing.Name)}' " +
                        "that nothing defines");
            }
        }
        catch
        {
            foreach (Tensor constant in constants.Values) constant.Dispose();
            throw;
        }
        return new OnnxModule(name, proto, nodes.ToArray(), constants, opset, baseDirectory);
    }

    /// <summary>How deeply subgraphs (an If's branches) may nest: a hostile file cannot recurse without end.</summary>
    private const int MostSubgraphDepth = 8;

    /// <summary>
    /// Compiles <paramref name="protos"/>, in order. ONNX graphs are in topological order, each value defined once:
    /// checked here, so that a cycle or a value read before it exists is refused at load instead of failing (or
    /// looping) at run time. <paramref name="defined"/> holds what is already defined (the outer graph's values, for a
    /// subgraph) and receives every value defined here.
    /// </summary>
    private static List<OnnxNode> CompileNodes(IEnumerable<NodeProto> protos, long opset, ExternalData externalData,
        Dictionary<string, Tensor> constants, HashSet<string> defined, int depth)
    {
        var nodes = new List<OnnxNode>();
        foreach (NodeProto nodeProto in protos)
        {
            OnnxNode node = Compile(nodeProto, opset, externalData, nodes.Count, constants, defined, depth);
            if (node.Inputs.FirstOrDefault(i => i.Length > 0 && !defined.Contains(i)) is string undefined)
            {
                // A malformed graph rather than an unsupported operator: no operator type on the error.
                throw new OnnxImportException($"node '{PrintableText.Printable(node.Name)}' ({node.OpType}) " +
                    $"reads '{PrintableText.Printable(undefined)}', which no earlier node, initializer or " +
                    "graph input defines (a cycle, or nodes out of order)");
            }
            if (node.Outputs.FirstOrDefault(o => o.Length > 0 && !defined.Add(o)) is string twice)
            {
                throw new OnnxImportException($"node '{PrintableText.Printable(node.Name)}' ({node.OpType}) " +
                    $"defines '{PrintableText.Printable(twice)}', which is already defined");
            }
            if (node.OpType == "Constant")
            {
                // Constant nodes are folded at load: their value is a frozen tensor like an initializer. Names are
                // unique across a model and its subgraphs, so two branches cannot fold to one name.
                if (constants.ContainsKey(node.Outputs[0]))
                    throw node.Unsupported($"'{PrintableText.Printable(node.Outputs[0])}' is defined twice");
                constants[node.Outputs[0]] = node.Operator.Run(node, [], RunContext.Plain)[0].DetachFromDisposeScope();
            }
            nodes.Add(node);
        }
        return nodes;
    }

    private static OnnxNode Compile(NodeProto proto, long opset, ExternalData externalData, int index,
        Dictionary<string, Tensor> constants, HashSet<string> defined, int depth)
    {
        string name = proto.Name.Length > 0 ? proto.Name : $"#{index}";
        if (proto.Domain is not ("" or "ai.onnx"))
            throw new OnnxImportException(proto.OpType, name, opset,
                $"operators of domain '{proto.Domain}' are not supported");
        if (!OnnxOperators.TryGet(proto.OpType, out OperatorDefinition definition))
            throw new OnnxImportException(proto.OpType, name, opset, "operator not supported");
        var subgraphs = new Dictionary<string, OnnxSubgraph>(StringComparer.Ordinal);
        foreach (AttributeProto attribute in proto.Attribute.Where(a => a.G is not null))
        {
            if (depth >= MostSubgraphDepth)
                throw new OnnxImportException(proto.OpType, name, opset, $"subgraphs nest deeper than {depth} levels");
            subgraphs[attribute.Name] =
                CompileSubgraph(attribute.G, opset, externalData, constants, defined, depth + 1);
        }
        // A subgraph reads values of the graph around it by name: they are inputs of the node that holds it, so that
        // planning keeps them alive until it runs (and a layer they depend on has it in its tail).
        string[] outerReads = subgraphs.Values.SelectMany(g => g.OuterReads)
            .Where(v => !constants.ContainsKey(v) && !proto.Input.Contains(v)).Distinct(StringComparer.Ordinal)
            .ToArray();
        var node = new OnnxNode
        {
            OpType = proto.OpType,
            Name = name,
            Opset = opset,
            Inputs = [.. proto.Input, .. outerReads],
            Outputs = proto.Output.ToArray(),
            Attributes = new NodeAttributes(proto.Attribute, externalData),
            Operator = definition,
            ConstantOf = value => constants.GetValueOrDefault(value),
            Subgraphs = subgraphs,
        };
        foreach (string attribute in node.Attributes.Names)
        {
            if (!definition.Attributes.Contains(attribute))
                throw node.Unsupported($"attribute '{attribute}' is not supported");
        }
        definition.Validate?.Invoke(node);
        return node;
    }

    /// <summary>
    /// A subgraph's nodes, compiled as the main graph's are; its initializers and folded constants join the model's
    /// (value names are unique across a model and its subgraphs).
    /// </summary>
    private static OnnxSubgraph CompileSubgraph(GraphProto graph, long opset, ExternalData externalData,
        Dictionary<string, Tensor> constants, HashSet<string> outerDefined, int depth)
    {
        foreach (TensorProto initializer in graph.Initializer)
        {
            if (constants.ContainsKey(initializer.Name) || outerDefined.Contains(initializer.Name))
                throw new OnnxImportException("a subgraph's initializer " +
                    $"'{PrintableText.Printable(initializer.Name)}' repeats a name already defined");
            constants[initializer.Name] = OnnxTensors.ToTensor(initializer, externalData).DetachFromDisposeScope();
        }
        if (graph.Input.Count > 0)
            throw new OnnxImportException($"subgraph '{PrintableText.Printable(graph.Name)}' has inputs (a Loop or " +
                "Scan body): only If branches are supported");
        var defined = new HashSet<string>(outerDefined, StringComparer.Ordinal);
        defined.UnionWith(graph.Initializer.Select(i => i.Name));
        List<OnnxNode> nodes = CompileNodes(graph.Node, opset, externalData, constants, defined, depth);
        string[] outputs = graph.Output.Select(o => o.Name).ToArray();
        if (outputs.FirstOrDefault(o => !defined.Contains(o)) is string missing)
            throw new OnnxImportException($"subgraph '{PrintableText.Printable(graph.Name)}' has an output " +
                $"'{PrintableText.Printable(missing)}' that nothing defines");
        var own = nodes.SelectMany(n => n.Outputs).ToHashSet(StringComparer.Ordinal);
        string[] outerReads = nodes.SelectMany(n => n.Inputs).Concat(outputs)
            .Where(v => v.Length > 0 && !own.Contains(v) && outerDefined.Contains(v)).Distinct(StringComparer.Ordinal)
            .ToArray();
        return new OnnxSubgraph([.. nodes], outputs, outerReads);
    }

    /// <summary>
    /// The model re-serialized with <paramref name="values"/> as additional graph outputs, typed from tensors computed
    /// by the import (so that another runtime can be asked for intermediate values).
    /// </summary>
    public byte[] WithExtraOutputs(IEnumerable<string> values, IReadOnlyDictionary<string, Tensor> computed)
    {
        ArgumentNullException.ThrowIfNull(values);
        ArgumentNullException.ThrowIfNull(computed);
        ModelProto copy = Proto.Clone();
        var existing = copy.Graph.Output.Select(o => o.Name).ToHashSet(StringComparer.Ordinal);
        foreach (string value in values.Where(v => !existing.Contains(v)))
        {
            var type = new TypeProto.Types.Tensor { ElemType = OnnxTensors.OnnxTypeOf(computed[value].dtype),
                Shape = new TensorShapeProto() };
            IEnumerable<TensorShapeProto.Types.Dimension> dimensions =
                computed[value].shape.Select(d => new TensorShapeProto.Types.Dimension { DimValue = d });
            type.Shape.Dim.AddRange(dimensions);
            copy.Graph.Output.Add(new ValueInfoProto { Name = value, Type = new TypeProto { TensorType = type } });
        }
        return copy.ToByteArray();
    }

    /// <summary>
    /// The model re-serialized with exactly <paramref name="values"/> as its graph outputs, each declared with its
    /// element type only (so that any batch size runs): what ONNX Runtime is asked to compute for a part of the graph.
    /// </summary>
    public byte[] WithOutputs(IEnumerable<(string Name, ScalarType Type)> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        ModelProto copy = Proto.Clone();
        copy.Graph.Output.Clear();
        foreach ((string name, ScalarType type) in values)
        {
            var tensorType = new TypeProto.Types.Tensor { ElemType = OnnxTensors.OnnxTypeOf(type) };
            copy.Graph.Output.Add(new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = tensorType } });
        }
        return copy.ToByteArray();
    }

    /// <summary>
    /// Every layer that adds a constant bias: a Conv's or ConvTranspose's B, a Gemm's beta C, a BatchNormalization's
    /// effective bias B - mean scale / sqrt(var + epsilon) (its output is scale / sigma times the input plus that).
    /// Computed at each call, in the caller's dispose scope.
    /// </summary>
    public IReadOnlyList<LayerBias> Biases()
    {
        var values = new HashSet<string>(ValueNames, StringComparer.Ordinal);
        var biases = new List<LayerBias>();
        foreach (OnnxNode node in _nodes)
        {
            if (node.Outputs.Length == 0 || !values.Contains(node.Outputs[0])) continue;
            Tensor? Constant(int k) => k < node.Inputs.Length && node.Inputs[k].Length > 0
                && _constants.TryGetValue(node.Inputs[k], out Tensor? c) ? c : null;
            Tensor? bias = node.OpType switch
            {
                "Conv" or "ConvTranspose" => Constant(2)?.flatten(),
                "Gemm" => Constant(2) is Tensor c ? c.flatten() * node.Attributes.Float("beta", 1f) : null,
                "BatchNormalization" when Constant(1) is Tensor scale && Constant(2) is Tensor shift
                    && Constant(3) is Tensor mean && Constant(4) is Tensor variance =>
                    shift - mean * scale / (variance + node.Attributes.Float("epsilon", 1e-5f)).sqrt(),
                _ => null,
            };
            if (bias is not null) biases.Add(new LayerBias(node.Outputs[0], bias.detach()));
        }
        return biases;
    }

    /// <summary>
    /// A copy of this model whose weight tensors (float initializers of rank 2 or more) are replaced by random normal
    /// values of the same spread: the "model parameter randomization" sanity check of Adebayo et al. (2018).
    /// </summary>
    /// <param name="seed">The random values' seed.</param>
    /// <param name="band">
    /// Which weight tensors, counted from the output down in the order the graph uses them (cascading or independent
    /// randomization); default all.
    /// </param>
    public OnnxModule WithRandomWeights(int seed, WeightBand? band = null)
    {
        band = (band ?? WeightBand.All).Validated();
        ModelProto copy = Proto.Clone();
        var random = new Random(seed);
        var firstUse = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int n = 0; n < copy.Graph.Node.Count; n++)
        {
            foreach (string input in copy.Graph.Node[n].Input) firstUse.TryAdd(input, n);
        }
        List<TensorProto> weights = copy.Graph.Initializer
            .Where(i => i.DataType == (int)TensorProto.Types.DataType.Float && i.Dims.Count >= 2)
            .OrderBy(i => firstUse.GetValueOrDefault(i.Name, int.MaxValue)).ToList();
        weights.Reverse();
        (int start, int end) = band.Of(weights.Count);
        var externalData = new ExternalData(_baseDirectory);
        foreach (TensorProto initializer in weights.Take(end).Skip(start))
        {
            using Tensor original = OnnxTensors.ToTensor(initializer, externalData);
            double spread = original.std().item<float>();
            float[] values = new float[original.numel()];
            for (int i = 0; i < values.Length; i++)
            {
                // Box-Muller: a normal sample from two uniform ones.
                double u = 1 - random.NextDouble(), v = random.NextDouble();
                values[i] = (float)(spread * Math.Sqrt(-2 * Math.Log(u)) * Math.Cos(2 * Math.PI * v));
            }
            initializer.FloatData.Clear();
            initializer.DataLocation = TensorProto.Types.DataLocation.Default;
            initializer.ExternalData.Clear();
            initializer.RawData =
                ByteString.CopyFrom(System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()));
        }
        return Load(copy.ToByteArray(), _baseDirectory, GetName() + "-random");
    }

    /// <summary>Runs the model on its single input and returns its first output.</summary>
    public override Tensor forward(Tensor input)
    {
        if (InputNames.Count != 1)
            throw new InvalidOperationException($"the model has {InputNames.Count} inputs; use Run with named inputs");
        return Run(new Dictionary<string, Tensor> { [InputNames[0]] = input },
            outputs: [OutputNames[0]])[OutputNames[0]];
    }

    /// <summary>Runs the graph.</summary>
    /// <param name="inputs">A tensor for every name of <see cref="InputNames"/>.</param>
    /// <param name="taps">Captures, replacements and guided ReLUs for this pass.</param>
    /// <param name="outputs">The values wanted (default: the graph outputs); only the nodes they need are run.</param>
    /// <returns>The wanted values by name.</returns>
    public IReadOnlyDictionary<string, Tensor> Run(IReadOnlyDictionary<string, Tensor> inputs,
        ForwardTaps? taps = null, IReadOnlyCollection<string>? outputs = null)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        taps ??= ForwardTaps.None;
        outputs ??= OutputNames.ToArray();
        foreach (string required in InputNames)
        {
            if (!inputs.ContainsKey(required)) throw new ArgumentException($"missing input '{required}'");
        }
        var values = new Dictionary<string, Tensor>(inputs, StringComparer.Ordinal);
        return Execute(PlanFor(outputs), values, taps, outputs);
    }

    /// <summary>
    /// The values every differentiable path from the inputs to <paramref name="outputs"/> passes through, in the
    /// order they are computed: after each, no other value carrying the input's gradient is still needed (index,
    /// shape and comparison values, which carry none, do not count). Where several heads read several maps of a
    /// backbone, the last of these is the last map that every score depends on.
    /// </summary>
    public IReadOnlyList<string> Bottlenecks(IReadOnlyCollection<string> outputs)
    {
        ArgumentNullException.ThrowIfNull(outputs);
        ExecutionPlan plan = PlanFor(outputs);
        // Which nodes carry the input's gradient, and the last step at which such a node reads each value: a value
        // read afterwards only for its shape (an anchor generator reading the image batch) is no longer needed.
        var carries = new HashSet<string>(InputNames, StringComparer.Ordinal);
        var carrying = new bool[plan.Nodes.Length];
        var lastRead = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int step = 0; step < plan.Nodes.Length; step++)
        {
            OnnxNode node = _nodes[plan.Nodes[step]];
            carrying[step] = node.Inputs.Any(carries.Contains) && !CarriesNoGradient(node);
            if (!carrying[step]) continue;
            carries.UnionWith(node.Outputs.Where((o, k) => o.Length > 0 && !(node.OpType == "TopK" && k == 1)));
            foreach (string input in node.Inputs.Where(carries.Contains)) lastRead[input] = step;
        }
        foreach (string output in outputs) lastRead[output] = int.MaxValue;
        var live = new HashSet<string>(InputNames.Where(lastRead.ContainsKey), StringComparer.Ordinal);
        var result = new List<string>();
        for (int step = 0; step < plan.Nodes.Length; step++)
        {
            OnnxNode node = _nodes[plan.Nodes[step]];
            live.RemoveWhere(value => lastRead[value] <= step);
            if (!carrying[step]) continue;
            string[] made = node.Outputs.Where(o => o.Length > 0 && lastRead.GetValueOrDefault(o, -1) > step).ToArray();
            live.UnionWith(made);
            if (made.Length == 1 && live.Count == 1) result.Add(made[0]);
        }
        return result;
    }

    /// <summary>Operators whose outputs are indices, shapes, booleans or integers: no gradient flows through them.
    /// </summary>
    private static bool CarriesNoGradient(OnnxNode node) => node.OpType is "Shape" or "Size" or "NonZero"
        or "ArgMax" or "ArgMin" or "NonMaxSuppression" or "Equal" or "Less" or "Greater" or "LessOrEqual"
        or "GreaterOrEqual" or "Not" or "And" or "Or" or "Xor" or "IsNaN" or "IsInf" or "Floor" or "Ceil" or "Round"
        || (node.OpType == "Cast" && node.Attributes.Int("to", 1) is not ((int)TensorProto.Types.DataType.Float
            or (int)TensorProto.Types.DataType.Double or (int)TensorProto.Types.DataType.Float16
            or (int)TensorProto.Types.DataType.Bfloat16));

    /// <summary>
    /// The values that the part of the graph after <paramref name="layer"/> reads besides the layer's own output
    /// (e.g. a second input, a value that skips past the layer): what <see cref="RunTail"/> needs.
    /// </summary>
    /// <param name="layer">A name of <see cref="ValueNames"/>.</param>
    /// <param name="outputs">The values the tail must produce.</param>
    public IReadOnlyList<string> TailInputs(string layer, IReadOnlyCollection<string> outputs) =>
        TailPlanFor(layer, outputs).Frontier;

    /// <summary>
    /// Runs only the nodes after <paramref name="layer"/> that <paramref name="outputs"/> need, with
    /// <paramref name="layerValue"/> as the layer's output and <paramref name="tailInputs"/> as the values
    /// <see cref="TailInputs"/> names (computed by an earlier <see cref="Run"/>).
    /// </summary>
    public IReadOnlyDictionary<string, Tensor> RunTail(string layer, Tensor layerValue,
        IReadOnlyDictionary<string, Tensor> tailInputs, IReadOnlyCollection<string> outputs)
    {
        ArgumentNullException.ThrowIfNull(layerValue);
        ArgumentNullException.ThrowIfNull(tailInputs);
        ArgumentNullException.ThrowIfNull(outputs);
        TailPlan tail = TailPlanFor(layer, outputs);
        var values = new Dictionary<string, Tensor>(StringComparer.Ordinal) { [layer] = layerValue };
        foreach (string name in tail.Frontier)
        {
            values[name] = tailInputs.TryGetValue(name, out Tensor? value) ? value
                : throw new ArgumentException($"the tail after '{layer}' reads '{name}', which was not given");
        }
        SelectedRows? rows = tail.MaySelectRows && SelectRows ? SelectedRowsFor(tail, values, outputs) : null;
        return Execute(tail.Plan, values, ForwardTaps.None, outputs, rows);
    }

    /// <summary>
    /// Whether <see cref="RunTail"/> runs the operations after a head's token selection on the selected rows only
    /// (default true; the outputs and gradients are the same, the work for a transformer's tail a fraction).
    /// </summary>
    public bool SelectRows { get; set; } = true;

    /// <summary>How many nodes the last plan for <paramref name="layer"/>'s tail runs on selected rows (for
    /// tests).</summary>
    internal int SelectedRowNodes(string layer)
    {
        lock (_selections)
        {
            return _selections.Where(pair => pair.Key.StartsWith(layer + "\n\n", StringComparison.Ordinal))
                .Select(pair => pair.Value?.RegionSize ?? 0).LastOrDefault();
        }
    }

    private const int MostSelectionPlans = 64;

    /// <summary>
    /// The plan that runs <paramref name="tail"/> on selected rows for these values' shapes, made the first time
    /// they are seen: one run records every value's shape, and the plan is kept only if a run with it gives the same
    /// outputs (1e-4 of their largest magnitude).
    /// </summary>
    private SelectedRows? SelectedRowsFor(TailPlan tail, Dictionary<string, Tensor> values,
        IReadOnlyCollection<string> outputs)
    {
        string key = tail.Key + "\n\n" + string.Join(";", values.OrderBy(pair => pair.Key, StringComparer.Ordinal)
            .Select(pair => string.Join(",", pair.Value.shape)));
        lock (_selections)
        {
            if (_selections.TryGetValue(key, out SelectedRows? known)) return known;
            using var scope = NewDisposeScope();
            using var noGradient = no_grad();
            var shapes = values.ToDictionary(pair => pair.Key, pair => pair.Value.shape, StringComparer.Ordinal);
            var recording = new ForwardTaps { ObserveEveryLayer = (name, value) => shapes[name] = value.shape };
            Dictionary<string, Tensor> full = Execute(tail.Plan, new(values, StringComparer.Ordinal), recording,
                outputs);
            SelectedRows? rows = SelectedRows.Find(_nodes, tail.Plan.Nodes,
                name => shapes.GetValueOrDefault(name) ?? _constants.GetValueOrDefault(name)?.shape, outputs);
            if (rows is not null)
            {
                try
                {
                    Dictionary<string, Tensor> selected = Execute(tail.Plan, new(values, StringComparer.Ordinal),
                        ForwardTaps.None, outputs, rows);
                    if (!outputs.All(name => Agree(full[name], selected[name]))) rows = null;
                }
                catch (OnnxRunException)
                {
                    // An operator that does not take the narrowed values: the tail runs whole.
                    rows = null;
                }
            }
            if (_selections.Count >= MostSelectionPlans) _selections.Clear();
            _selections[key] = rows;
            return rows;
        }
    }

    private static bool Agree(Tensor full, Tensor selected)
    {
        if (!full.shape.SequenceEqual(selected.shape) || full.dtype != selected.dtype) return false;
        if (!full.is_floating_point()) return full.equal(selected).item<bool>();
        double scale = Math.Max(1, full.abs().max().item<float>());
        return (full - selected).abs().max().item<float>() <= 1e-4 * scale;
    }

    private Dictionary<string, Tensor> Execute(ExecutionPlan plan, Dictionary<string, Tensor> values,
        ForwardTaps taps, IReadOnlyCollection<string> outputs, SelectedRows? rows = null)
    {
        var context = new RunContext(taps);
        var owned = new HashSet<string>(StringComparer.Ordinal);
        for (int step = 0; step < plan.Nodes.Length; step++)
        {
            OnnxNode node = _nodes[plan.Nodes[step]];
            var arguments = new Tensor?[node.Inputs.Length];
            for (int k = 0; k < arguments.Length; k++)
            {
                string input = node.Inputs[k];
                if (input.Length == 0) continue;
                arguments[k] = values.TryGetValue(input, out Tensor? value) ? value
                    : _constants.TryGetValue(input, out Tensor? constant) ? constant
                    : throw new InvalidOperationException($"ONNX {node.OpType} '{node.Name}': input '{input}' has no " +
                        "value");
            }
            Tensor[] results;
            try
            {
                results = OwnResults(rows?.Prepare(plan.Nodes[step], node, arguments)
                    ?? node.Operator.Run(node, arguments, context), arguments);
            }
            catch (Exception exception) when (exception is not (UnreadableInputException
                or OperationCanceledException or OutOfMemoryException))
            {
                // LibTorch appends a C++ backtrace to its messages: the first line says what went wrong.
                throw node.Failed(exception.Message.Split('\n')[0].Trim(), exception);
            }
            for (int k = 0; k < node.Outputs.Length && k < results.Length; k++)
            {
                string name = node.Outputs[k];
                if (name.Length == 0) { results[k].Dispose(); continue; }
                Tensor value = results[k];
                if (taps.ReplaceLayerOutput is not null && taps.Layer == name) value = taps.ReplaceLayerOutput(value);
                if (taps.ReplaceEveryLayerOutput is not null) value = taps.ReplaceEveryLayerOutput(name, value);
                taps.ObserveEveryLayer?.Invoke(name, value);
                values[name] = value;
                owned.Add(name);
            }
            // Free what no later node needs, to keep peak memory near that of a native module.
            foreach (string dead in plan.DeadAfter[step])
            {
                if (owned.Remove(dead) && values.Remove(dead, out Tensor? tensor)) tensor.Dispose();
            }
        }
        return outputs.ToDictionary(name => name, name => values.TryGetValue(name, out Tensor? v) ? v
            : _constants.TryGetValue(name, out Tensor? c) ? c.alias()
            : throw new ArgumentException($"'{name}' is not a value of this model"));
    }

    /// <summary>
    /// <paramref name="results"/>, each one that is an input itself (a Resize to the same size, a no-op) replaced by
    /// an alias: each value is freed when no later node needs it, and freeing one must not free another.
    /// </summary>
    internal static Tensor[] OwnResults(Tensor[] results, Tensor?[] arguments)
    {
        for (int k = 0; k < results.Length; k++)
        {
            if (arguments.Any(argument => ReferenceEquals(argument, results[k]))) results[k] = results[k].alias();
        }
        return results;
    }

    private ExecutionPlan PlanFor(IReadOnlyCollection<string> outputs)
    {
        string key = string.Join("\n", outputs);
        lock (_plans)
        {
            if (_plans.TryGetValue(key, out ExecutionPlan? cached)) return cached;
            var needed = new HashSet<int>();
            var pending = new Stack<string>(outputs);
            var seen = new HashSet<string>(StringComparer.Ordinal);
            while (pending.Count > 0)
            {
                string value = pending.Pop();
                if (!seen.Add(value)) continue;
                if (_constants.ContainsKey(value) || InputNames.Contains(value)) continue;
                if (!_producer.TryGetValue(value, out int producer))
                    throw new ArgumentException($"'{value}' is not a value of this model");
                if (!needed.Add(producer)) continue;
                foreach (string input in _nodes[producer].Inputs.Where(i => i.Length > 0)) pending.Push(input);
            }
            int[] order = needed.Where(i => _nodes[i].OpType != "Constant").Order().ToArray();
            ExecutionPlan plan = PlanOf(order, outputs);
            _plans[key] = plan;
            return plan;
        }
    }

    /// <summary>
    /// The plan of the nodes that <paramref name="outputs"/> need and that depend on <paramref name="layer"/>, and the
    /// other values those nodes read (the frontier, computed before the layer or not depending on it at all).
    /// </summary>
    private TailPlan TailPlanFor(string layer, IReadOnlyCollection<string> outputs)
    {
        ArgumentException.ThrowIfNullOrEmpty(layer);
        ArgumentNullException.ThrowIfNull(outputs);
        string key = layer + "\n\n" + string.Join("\n", outputs);
        lock (_tails)
        {
            if (_tails.TryGetValue(key, out TailPlan? cached)) return cached;
            if (!_producer.TryGetValue(layer, out int layerNode))
                throw new ArgumentException($"'{layer}' is not a value of this model");
            var needed = PlanFor(outputs).Nodes.ToHashSet();
            var downstream = new HashSet<string>(StringComparer.Ordinal) { layer };
            var tail = new List<int>();
            // Node order is topological, so one pass in order finds everything that depends on the layer.
            for (int i = layerNode + 1; i < _nodes.Length; i++)
            {
                if (!_nodes[i].Inputs.Any(downstream.Contains)) continue;
                foreach (string output in _nodes[i].Outputs.Where(o => o.Length > 0)) downstream.Add(output);
                if (needed.Contains(i)) tail.Add(i);
            }
            var produced = tail.SelectMany(i => _nodes[i].Outputs).ToHashSet(StringComparer.Ordinal);
            string[] frontier = tail.SelectMany(i => _nodes[i].Inputs).Concat(outputs)
                .Where(v => v.Length > 0 && v != layer && !produced.Contains(v) && !_constants.ContainsKey(v))
                .Distinct(StringComparer.Ordinal).ToArray();
            var plan = new TailPlan(PlanOf([.. tail], outputs), frontier, key,
                SelectedRows.MayApply(tail.Select(i => _nodes[i])));
            _tails[key] = plan;
            return plan;
        }
    }

    /// <summary>Runs <paramref name="order"/>, freeing each value after the last node that reads it.</summary>
    private ExecutionPlan PlanOf(int[] order, IReadOnlyCollection<string> outputs)
    {
        var lastUse = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int step = 0; step < order.Length; step++)
        {
            foreach (string input in _nodes[order[step]].Inputs.Where(i => i.Length > 0)) lastUse[input] = step;
        }
        var deadAfter = Enumerable.Range(0, order.Length).Select(_ => new List<string>()).ToArray();
        foreach ((string value, int step) in lastUse)
        {
            if (!outputs.Contains(value)) deadAfter[step].Add(value);
        }
        return new ExecutionPlan(order, deadAfter);
    }

    /// <summary>
    /// Module paths from the exporter's scoped node names: a segment that extends the previous one ("layer4.1" after
    /// "layer4") adds its suffix, any other segment ("block", "relu_1") is a child.
    /// </summary>
    private static Dictionary<string, string> ModulePaths(OnnxNode[] nodes, HashSet<string> constant)
    {
        var outputs = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (OnnxNode node in nodes)
        {
            string? value = node.Outputs.FirstOrDefault(o => o.Length > 0 && !constant.Contains(o));
            if (value is null || !node.Name.StartsWith('/')) continue;
            string[] segments = node.Name.Split('/', StringSplitOptions.RemoveEmptyEntries);
            string path = "", previous = "";
            foreach (string segment in segments[..^1])
            {
                path = path.Length == 0 ? segment
                    : previous.Length > 0 && segment.StartsWith(previous + ".", StringComparison.Ordinal)
                        ? path + segment[previous.Length..]
                        : path + "." + segment;
                previous = segment;
                outputs[path] = value;
            }
        }
        return outputs;
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            foreach (Tensor constant in _constants.Values) constant.Dispose();
            _constants.Clear();
        }
        base.Dispose(disposing);
    }

    private sealed record ExecutionPlan(int[] Nodes, List<string>[] DeadAfter);

    private sealed record TailPlan(ExecutionPlan Plan, string[] Frontier, string Key, bool MaySelectRows);
}
