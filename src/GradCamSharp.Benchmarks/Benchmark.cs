using System.Diagnostics;
using GradCamSharp.Evaluation;
using GradCamSharp.Methods;
using GradCamSharp.Models;
using GradCamSharp.Onnx;
using GradCamSharp.TorchVision;
using GradCamSharp.Targets;
using Microsoft.ML.OnnxRuntime;
using TorchSharp;
using static TorchSharp.torch;
using Tensor = TorchSharp.torch.Tensor;
using GradCamSharp.Catalog;
using GradCamSharp.OnnxRuntime;

namespace GradCamSharp.Benchmarks;

/// <summary>
/// Times forward-only inference and each explanation method on the same model and input: the median of several runs
/// after warm-up, its ratio to forward-only, and the peak resident memory each adds. Ratios, not absolute times, are
/// what compare across machines.
/// </summary>
public static class Benchmark
{
    /// <summary>The suffix of a perturbation method's floor row: its forward passes alone.</summary>
    public const string FloorSuffix = "-floor";

    /// <summary>
    /// The suffix of a perturbation method's floor in a bare ONNX Runtime session (for an ONNX model).
    /// </summary>
    public const string OnnxRuntimeFloorSuffix = "-onnxruntime-floor";

    /// <summary>
    /// The suffix of a row that runs the model wholly in TorchSharp (beside the default hybrid path).
    /// </summary>
    public const string TorchSharpSuffix = " [torchsharp]";

    /// <summary>The five-classes-of-one-image measurement.</summary>
    public const string GradCamTop5 = "gradcam-top5";

    /// <summary>
    /// Every measurement name, in report order: each registered method, <c>all</c> (the paper's four maps from one
    /// pass) and <see cref="GradCamTop5"/>.
    /// </summary>
    public static IReadOnlyList<string> AllMethods { get; } = [.. KnownMethods.Names, KnownMethods.All, GradCamTop5];

    /// <summary>
    /// What runs when no method is named: everything but the perturbation methods (hundreds of forwards).
    /// </summary>
    public static IReadOnlyList<string> DefaultMethods { get; } =
    [
        .. KnownMethods.Registered.Where(m => !m.PerturbsInputs).Select(m => m.Name),
        KnownMethods.All, GradCamTop5,
    ];

    /// <summary>
    /// The default methods that can run on <paramref name="model"/>: the defaults run on every model the command
    /// accepts, so a method that cannot apply to this one (the deconvnet on a TorchVision module whose blocks apply
    /// their own ReLUs) is left out, and "method: reason" added to <paramref name="skipped"/>.
    /// </summary>
    public static IReadOnlyList<string> RunnableDefaults(IExplainableModel model, ICollection<string> skipped)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(skipped);
        var runnable = new List<string>();
        foreach (string method in DefaultMethods)
        {
            // "all" is the paper's four together: it cannot run where one of them cannot.
            IEnumerable<MethodDescriptor> parts = method == KnownMethods.All ? KnownMethods.Expand([method])
                : KnownMethods.Registered.Where(m => m.Name == method);
            if (parts.Select(m => m.Obstacle(model)).FirstOrDefault(r => r is not null) is string reason)
                skipped.Add($"{method}: {reason}");
            else
                runnable.Add(method);
        }
        return runnable;
    }

    /// <summary>Runs the benchmark.</summary>
    /// <param name="options">What to measure.</param>
    /// <param name="progress">One line per measurement.</param>
    public static BenchmarkReport Run(BenchmarkOptions options, IProgress<string>? progress = null)
    {
        string[] methods = CheckedMethods(options);
        var skipped = new List<string>();
        if (options.Threads > 0) set_num_threads(options.Threads);
        int threads = get_num_threads();

        using LoadedModel model = ModelCatalog.Load(options.Model);
        OnnxExplainableModel? imported = model.Model switch
        {
            OnnxRuntimeHybridModel hybrid => hybrid.Inner,
            OnnxExplainableModel plain => plain,
            _ => null,
        };
        // The same model run wholly in TorchSharp, timed beside the hybrid path (ONNX Runtime before the layer).
        using LoadedModel? torchSharpOnly = model.Model is OnnxRuntimeHybridModel
            ? ModelCatalog.Load(options.Model, new ModelLoadOptions { OnnxRuntime = false }) : null;
        if (options.Native is not null && imported is null)
            throw new UsageException("--native compares an imported ONNX model with TorchSharp; give an .onnx --model");
        if (options.Methods.Count == 0) methods = [.. RunnableDefaults(model.Model, skipped)];
        using DisposeScope inputScope = NewDisposeScope();
        manual_seed(0);
        Tensor input = randn(options.Batch, 3, model.Preprocessing.Height, model.Preprocessing.Width);

        var measurements = new List<(string Name, Action Run)>();
        List<Floor> floors = AddModelMeasurements(measurements, model.Model, torchSharpOnly?.Model, methods, input);
        List<BenchmarkRow> rows;
        nn.Module<Tensor, Tensor>? native = null;
        InferenceSession? session = null;
        // ONNX Runtime's values and run options the bare-session measurements feed, freed with the session.
        var runtimeValues = new List<IDisposable>();
        try
        {
            if (imported is not null)
            {
                session = OnnxRuntimeSession(options.Model, imported, input, threads, runtimeValues, progress,
                    out Action? runtimeForward);
                if (runtimeForward is not null) measurements.Add(("onnxruntime-forward", runtimeForward));
                foreach ((string method, long forwards, int batchSize) in floors)
                {
                    measurements.Add((method + OnnxRuntimeFloorSuffix, OnnxRuntimeFloor(session,
                        imported.Module.InputNames[0], input, forwards, batchSize, runtimeValues)));
                }
                if (options.Native is string architecture)
                {
                    native = TorchVisionModels.Create(architecture);
                    nn.Module<Tensor, Tensor> nativeModel = native;
                    measurements.Add(($"native-{architecture}-forward", () =>
                    {
                        using var noGrad = no_grad();
                        nativeModel.call(input);
                    }));
                }
            }
            rows = MeasureInterleaved(measurements, options, progress);
        }
        finally
        {
            foreach (IDisposable value in runtimeValues) value.Dispose();
            session?.Dispose();
            native?.Dispose();
        }

        double? growth = null;
        if (options.GrowthIterations > 0)
        {
            progress?.Report($"memory growth: {options.GrowthIterations} Grad-CAM explanations...");
            growth = MeasureGrowth(model, options.GrowthIterations, new CamOptions());
        }
        return Report(options, model, rows, floors, skipped, threads, growth);
    }

    /// <summary>A perturbation method's floor: as many plain forwards, in its batches, as it scores inputs.</summary>
    private readonly record struct Floor(string Method, long Forwards, int BatchSize);

    /// <summary>The methods to time: those named (each checked), or the defaults; bad options are refused.</summary>
    private static string[] CheckedMethods(BenchmarkOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Batch < 1) throw new UsageException($"--batch must be at least 1, got {options.Batch}");
        if (options.Runs < BenchmarkOptions.MinimumRuns)
            throw new UsageException($"--runs must be at least {BenchmarkOptions.MinimumRuns} for a median, got " +
                $"{options.Runs}");
        string[] methods = options.Methods.Count == 0 ? [.. DefaultMethods] : [.. options.Methods];
        foreach (string method in methods)
        {
            if (!AllMethods.Contains(method, StringComparer.OrdinalIgnoreCase))
                throw new UsageException($"unknown method '{method}'; known: {string.Join(", ", AllMethods)}");
        }
        return methods;
    }

    /// <summary>
    /// Adds forward-only and each method to <paramref name="measurements"/> (each also wholly in TorchSharp when
    /// <paramref name="torchSharpOnly"/> is given), and each perturbation method's floor; returns the floors.
    /// </summary>
    private static List<Floor> AddModelMeasurements(List<(string Name, Action Run)> measurements,
        IExplainableModel model, IExplainableModel? torchSharpOnly, IEnumerable<string> methods, Tensor input)
    {
        measurements.Add(("forward", () =>
        {
            using IDisposable state = model.BeginExplanation();
            using var noGrad = no_grad();
            model.Forward(input, ForwardTaps.None);
        }));
        if (torchSharpOnly is not null)
        {
            measurements.Add(("forward" + TorchSharpSuffix, () =>
            {
                using var noGrad = no_grad();
                torchSharpOnly.Forward(input, ForwardTaps.None);
            }));
        }
        var floors = new List<Floor>();
        foreach (string method in methods)
        {
            string[] names = [method == GradCamTop5 ? KnownMethods.GradCam : method];
            IExplainer explainer = KnownMethods.CreateSet(names, model);
            ITarget target = method == GradCamTop5 ? new TopClassesTarget(5) : TopClassesTarget.Top1;
            measurements.Add((method, () => explainer.Explain(input, target)));
            if (torchSharpOnly is not null)
            {
                IExplainer inTorchSharp = KnownMethods.CreateSet(names, torchSharpOnly);
                measurements.Add((method + TorchSharpSuffix, () => inTorchSharp.Explain(input, target)));
            }
            if (PerturbedInputs(model, method, input, target) is long forwards)
            {
                int batchSize = PerturbationBatches.SizeFor(Methods.RunOptions.Default, input, model);
                floors.Add(new Floor(method, forwards, batchSize));
                measurements.Add((method + FloorSuffix, ForwardFloor(model, input, forwards, batchSize)));
            }
        }
        return floors;
    }

    /// <summary>The report: the rows with their ratios to forward-only, ONNX Runtime, native and the floors.</summary>
    private static BenchmarkReport Report(BenchmarkOptions options, LoadedModel model, List<BenchmarkRow> rows,
        List<Floor> floors, List<string> skipped, int threads, double? growth)
    {
        double forwardMs = rows.FirstOrDefault(r => r.Name == "forward" + TorchSharpSuffix)?.MedianMilliseconds
            ?? rows[0].MedianMilliseconds;
        BenchmarkRow? runtimeRow = rows.FirstOrDefault(r => r.Name == "onnxruntime-forward");
        double? toOnnxRuntime = runtimeRow is not null ? forwardMs / runtimeRow.MedianMilliseconds : null;
        double? toNative = rows.FirstOrDefault(r => r.Name.StartsWith("native-",
            StringComparison.Ordinal)) is { } nat ? forwardMs / nat.MedianMilliseconds : null;
        IReadOnlyList<FloorRatio> floorRatios = floors.Select(f =>
        {
            double method = rows.Single(r => r.Name == f.Method).MedianMilliseconds;
            double? toRuntime = rows.FirstOrDefault(r => r.Name == f.Method + OnnxRuntimeFloorSuffix) is { } bare
                ? method / bare.MedianMilliseconds : null;
            return new FloorRatio(f.Method, f.Forwards, f.BatchSize,
                method / rows.Single(r => r.Name == f.Method + FloorSuffix).MedianMilliseconds, toRuntime);
        }).ToList();
        IReadOnlyList<BenchmarkRow> toRuntime = runtimeRow is null ? []
            : [.. rows.Where(r => !r.Name.EndsWith(TorchSharpSuffix, StringComparison.Ordinal)
                    && !r.Name.EndsWith(FloorSuffix, StringComparison.Ordinal)
                    && !r.Name.EndsWith(OnnxRuntimeFloorSuffix, StringComparison.Ordinal) && r != runtimeRow)
                .Select(r => r with { RatioToForward = r.MedianMilliseconds / runtimeRow.MedianMilliseconds })];
        return new BenchmarkReport
        {
            Skipped = skipped,
            Floors = floorRatios,
            ToOnnxRuntimeForward = toRuntime,
            Model = model.Name + (model.Notice?.Contains("random weights",
                StringComparison.Ordinal) == true ? " (random weights)" : ""),
            Cpu = ProcessMemory.Cpu(),
            Batch = options.Batch,
            Threads = threads,
            Runs = options.Runs,
            Rows = rows,
            ImportToNative = toNative,
            ImportToOnnxRuntime = toOnnxRuntime,
            GrowthIterations = options.GrowthIterations,
            GrowthMegabytes = growth,
            ProcessPeakMegabytes = ProcessMemory.LifetimePeakMegabytes,
        };
    }

    /// <summary>
    /// How many perturbed inputs <paramref name="method"/> scores for <paramref name="input"/> (summed over its maps,
    /// as its progress reports count them), or null for a method that perturbs nothing.
    /// </summary>
    private static long? PerturbedInputs(IExplainableModel model, string method, Tensor input, ITarget target)
    {
        if (method == GradCamTop5 || method == KnownMethods.All || !KnownMethods.Get(method).PerturbsInputs)
            return null;
        var totals = new ProgressTotals();
        using (NewDisposeScope())
            KnownMethods.CreateSet([method], model).Explain(input, [[target]],
                new Methods.RunOptions { Progress = totals });
        return totals.Sum > 1 ? totals.Sum : null;
    }

    /// <summary>
    /// The floor of a perturbation method: <paramref name="forwards"/> plain forward passes of copies of the input, at
    /// the method's batch size, without autograd; the copies are made before the clock starts.
    /// </summary>
    private static Action ForwardFloor(IExplainableModel model, Tensor input, long forwards, int batchSize)
    {
        Tensor one = input.narrow(0, 0, 1);
        List<Tensor> batches = Batches(forwards, batchSize, count => one.repeat(count, 1, 1, 1));
        return () =>
        {
            using IDisposable state = model.BeginExplanation();
            using var noGrad = no_grad();
            foreach (Tensor batch in batches)
            {
                using DisposeScope scope = NewDisposeScope();
                model.Forward(batch, ForwardTaps.None);
            }
        };
    }

    /// <summary>
    /// <paramref name="forwards"/> runs of a bare ONNX Runtime <paramref name="session"/> on copies of the input, at
    /// <paramref name="batchSize"/> (or one at a time for a graph exported for a single image); the copies are made
    /// before the clock starts.
    /// </summary>
    private static Action OnnxRuntimeFloor(InferenceSession session, string inputName, Tensor input, long forwards,
        int batchSize, List<IDisposable> owned)
    {
        float[] one = input.narrow(0, 0, 1).data<float>().ToArray();
        Action Batch(int count)
        {
            float[] values = new float[one.Length * count];
            for (int i = 0; i < count; i++) one.CopyTo(values, i * one.Length);
            return BareRun(session, inputName, values, [count, .. input.shape[1..]], owned);
        }
        try
        {
            Batch(Math.Min(batchSize, (int)forwards))();
        }
        catch (OnnxRuntimeException)
        {
            batchSize = 1;
        }
        List<Action> batches = Batches(forwards, batchSize, Batch);
        return () =>
        {
            foreach (Action batch in batches) batch();
        };
    }

    /// <summary>
    /// What runs <paramref name="forwards"/> inputs <paramref name="batchSize"/> at a time, one item per batch, made by
    /// <paramref name="make"/> once per batch size (all but the last batch share one).
    /// </summary>
    private static List<T> Batches<T>(long forwards, int batchSize, Func<int, T> make)
    {
        var made = new Dictionary<int, T>();
        var batches = new List<T>();
        for (long start = 0; start < forwards; start += batchSize)
        {
            int count = (int)Math.Min(batchSize, forwards - start);
            if (!made.TryGetValue(count, out T? batch)) made[count] = batch = make(count);
            batches.Add(batch);
        }
        return batches;
    }

    /// <summary>
    /// One run of a bare <paramref name="session"/> on <paramref name="values"/>, fed as ONNX Runtime's own values
    /// over the pinned array (no copy per run), asking for every output: ONNX Runtime at its fastest.
    /// </summary>
    private static Action BareRun(InferenceSession session, string inputName, float[] values, long[] shape,
        List<IDisposable> owned)
    {
        OrtValue feed = OrtValue.CreateTensorValueFromMemory(values, shape);
        var runOptions = new Microsoft.ML.OnnxRuntime.RunOptions();
        owned.Add(feed);
        owned.Add(runOptions);
        string[] names = [inputName];
        OrtValue[] inputs = [feed];
        return () => session.Run(runOptions, names, inputs, session.OutputNames).Dispose();
    }

    /// <summary>Adds up the totals of the maps a method reports on (each ends with done = total).</summary>
    private sealed class ProgressTotals : IProgress<MethodProgress>
    {
        public long Sum { get; private set; }

        public void Report(MethodProgress value)
        {
            if (value.Done == value.Total) Sum += value.Total;
        }
    }

    /// <summary>
    /// Times every measurement in rounds, one call of each per round in a rotating order, so that drift (caches,
    /// frequency, other load) affects all of them alike; reports each one's median and its peak memory.
    /// </summary>
    private static List<BenchmarkRow> MeasureInterleaved(List<(string Name, Action Run)> measurements,
        BenchmarkOptions options, IProgress<string>? progress)
    {
        progress?.Report($"warming up {measurements.Count} measurements...");
        for (int round = 0; round < options.Warmup; round++)
        {
            foreach ((_, Action run) in measurements) RunScoped(run);
        }
        var times = measurements.Select(_ => new List<double>()).ToArray();
        for (int round = 0; round < options.Runs; round++)
        {
            for (int k = 0; k < measurements.Count; k++)
            {
                int m = (k + round) % measurements.Count;
                long start = Stopwatch.GetTimestamp();
                RunScoped(measurements[m].Run);
                times[m].Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            }
            progress?.Report($"round {round + 1}/{options.Runs}");
        }
        // Memory in a pass of its own: returning freed memory to the system before each call makes the peak measure
        // the call itself, but also makes the call fault its pages in again, which must not count in its time.
        var peaks = new double[measurements.Count];
        for (int m = 0; m < measurements.Count; m++)
        {
            ProcessMemory.ReleaseFreedMemory();
            double before = ProcessMemory.ResidentMegabytes;
            ProcessMemory.ResetPeak();
            RunScoped(measurements[m].Run);
            peaks[m] = ProcessMemory.PeakMegabytes - before;
        }
        double[] medians = times.Select(t => Statistics.Median(t)).ToArray();
        return measurements.Select((m, i) => new BenchmarkRow(m.Name, medians[i], medians[i] / medians[0],
            Math.Max(0, peaks[i]))).ToList();
    }

    private static void RunScoped(Action run)
    {
        using DisposeScope scope = NewDisposeScope();
        run();
    }

    private static InferenceSession OnnxRuntimeSession(string path, OnnxExplainableModel model, Tensor input,
        int threads, List<IDisposable> owned, IProgress<string>? progress, out Action? forward)
    {
        var sessionOptions = new SessionOptions { IntraOpNumThreads = threads, InterOpNumThreads = 1 };
        // ONNX Runtime's workers spin after each run by default, stealing the cores from the next measurement.
        sessionOptions.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
        owned.Add(sessionOptions);
        var session = new InferenceSession(path, sessionOptions);
        Action run = BareRun(session, model.Module.InputNames[0], input.data<float>().ToArray(), input.shape, owned);
        try
        {
            run();
            forward = run;
        }
        catch (OnnxRuntimeException exception)
        {
            // Models exported with a fixed batch of 1 (such as the CNTK featurizer) refuse larger batches.
            progress?.Report($"onnxruntime-forward skipped: {exception.Message.Split('\n')[0]}");
            forward = null;
        }
        return session;
    }

    private static double MeasureGrowth(LoadedModel model, int iterations, CamOptions camOptions)
    {
        var gradCam = new GradCam(model.Model, camOptions);
        using DisposeScope inputScope = NewDisposeScope();
        Tensor single = randn(1, 3, model.Preprocessing.Height, model.Preprocessing.Width);
        int warmup = Math.Min(50, iterations);
        for (int i = 0; i < warmup; i++) gradCam.Explain(single);
        double before = SettledResidentMegabytes();
        for (int i = 0; i < iterations; i++) gradCam.Explain(single);
        return SettledResidentMegabytes() - before;
    }

    /// <summary>
    /// Resident memory once garbage is collected and freed heap returned: what a leak would leave behind. (Each
    /// explanation's maps are large managed arrays that only a full collection reclaims; without one, the resident
    /// size wanders by a hundred megabytes with the collector's timing.)
    /// </summary>
    private static double SettledResidentMegabytes()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        ProcessMemory.ReleaseFreedMemory();
        return ProcessMemory.ResidentMegabytes;
    }
}
