using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using GradCamSharp.Benchmarks;
using GradCamSharp.Catalog;

namespace GradCamSharp.Cli.Commands;

/// <summary><c>gradcam bench</c>: each method's time and memory as a ratio to forward-only inference.</summary>
internal static class BenchCommand
{
    internal static Command Create()
    {
        var model = new Option<string>("--model", "-m")
        {
            Description = "A TorchVision architecture (random weights), 'default' or an .onnx file",
            DefaultValueFactory = _ => "resnet50",
        };
        var batch = new Option<int>("--batch", "-b") { Description = "Images per batch", DefaultValueFactory = _ => 1 };
        Option<string[]> methods = MethodOption.Create("all but the perturbation methods: " +
            string.Join(", ", Benchmark.DefaultMethods), $", {Benchmark.GradCamTop5} (five classes in one pass)");
        var threads = new Option<int>("--threads", "-t")
        {
            Description = "Intra-op threads (default: LibTorch's choice)",
            DefaultValueFactory = _ => 0,
        };
        var runs = new Option<int>("--runs")
        {
            Description = $"Timed runs per row, at least {BenchmarkOptions.MinimumRuns}; the median is reported",
            DefaultValueFactory = _ => BenchmarkOptions.MinimumRuns,
        };
        var native = new Option<string?>("--native")
        {
            Description = "For an ONNX model: the TorchVision architecture to compare the imported forward with",
        };
        var growth = new Option<int>("--growth")
        {
            Description = "Grad-CAM explanations in the memory-growth loop (0 skips it)",
            DefaultValueFactory = _ => 1000,
        };
        var json = new Option<bool>("--json") { Description = "Print the report as JSON" };
        var pipeline = new Option<bool>("--pipeline")
        {
            Description = "Time 'explain' over photos (decode, explain, draw, encode, write) against the model's share",
        };
        var photos = new Option<string[]>("--photos")
        {
            Description = "The photos for --pipeline (default: the shipped photos in samples/)",
            AllowMultipleArgumentsPerToken = true,
        };
        var command = CommandHelp.Create("bench", "Time every method as a ratio to forward-only inference", """
            Time forward-only inference and every explanation method on the same model and input (median of the runs
            after warm-up) and print milliseconds, the ratio to forward-only, and the peak resident memory each adds;
            for an ONNX model also ONNX Runtime's forward and, with --native, the same architecture built in TorchSharp;
            finally how much 1000 Grad-CAM explanations in a loop grow the process.

            Examples:
              gradcam bench --model resnet50 --batch 8
              gradcam bench --model resnet18.onnx --native resnet18 --method gradcam,gradcam-top5
              gradcam bench --method scorecam,ablationcam,occlusion --runs 10
              gradcam bench --pipeline --model default --method all
            """);
        foreach (Option option in new Option[]
            { model, batch, methods, threads, runs, native, growth, json, pipeline, photos })
            command.Add(option);
        command.SetAction(result =>
        {
            if (result.GetValue(pipeline))
            {
                return RunPipeline(result.InvocationConfiguration.Output, result.InvocationConfiguration.Error,
                    result.GetValue(model)!, result.GetValue(photos) ?? [], result.GetValue(methods) ?? []);
            }
            var options = new BenchmarkOptions
            {
                Model = result.GetValue(model)!,
                Batch = result.GetValue(batch),
                Methods = result.GetValue(methods) ?? [],
                Threads = result.GetValue(threads),
                Runs = result.GetValue(runs),
                Native = result.GetValue(native),
                GrowthIterations = result.GetValue(growth),
            };
            return Run(result.InvocationConfiguration.Output, result.InvocationConfiguration.Error, options,
                result.GetValue(json));
        });
        return command;
    }

    /// <summary>Runs <c>bench --pipeline</c>; returns the exit code.</summary>
    public static int RunPipeline(TextWriter output, TextWriter error, string model, IReadOnlyList<string> photos,
        IReadOnlyList<string> methods)
    {
        if (photos.Count == 0)
        {
            photos = DefaultModel.SamplePhotos();
            if (photos.Count == 0)
                throw new UsageException($"give --photos (no shipped photos in {DefaultModel.SamplesFolder})");
        }
        PipelineReport report = PipelineBenchmark.Run(model, photos, methods.Count == 0 ? ["all"] : methods,
            new LineProgress(error, "bench: "));
        var c = CultureInfo.InvariantCulture;
        output.WriteLine(string.Create(c, $"{report.Model}, {report.Photos} photos, --method {report.Methods}; " +
            $"CPU: {report.Cpu}"));
        output.WriteLine(string.Create(c,
            $"explain, whole pipeline:  {report.WallMillisecondsPerPhoto,8:0} ms per photo"));
        output.WriteLine(string.Create(c,
            $"the model's share:        {report.ModelMillisecondsPerPhoto,8:0} ms per photo"));
        output.WriteLine(string.Create(c, $"pipeline / model: {report.Ratio:0.00}x"));
        return ExitCodes.Success;
    }

    /// <summary>Runs <c>bench</c>; returns the exit code.</summary>
    public static int Run(TextWriter output, TextWriter error, BenchmarkOptions options, bool json)
    {
        BenchmarkReport report = Benchmark.Run(options, new LineProgress(error, "bench: "));
        if (json)
        {
            output.WriteLine(JsonSerializer.Serialize(report, CliJson.Indented));
            return ExitCodes.Success;
        }
        var c = CultureInfo.InvariantCulture;
        output.WriteLine($"{report.Model}, batch {report.Batch}, {report.Threads} threads, median of {report.Runs} " +
            $"runs; CPU: {report.Cpu}");
        foreach (string skipped in report.Skipped) output.WriteLine($"skipped {skipped}");
        output.WriteLine($"{"measurement",-28} {"ms",9} {"x forward",10} {"peak MB",8}");
        foreach (BenchmarkRow row in report.Rows)
        {
            string peak = row.PeakMegabytes is double mb ? mb.ToString("0", c) : "";
            output.WriteLine(string.Create(c,
                $"{row.Name,-28} {row.MedianMilliseconds,9:0.0} {row.RatioToForward,9:0.00}x {peak,8}"));
        }
        if (report.ImportToOnnxRuntime is double ort)
            output.WriteLine(string.Create(c, $"imported forward / ONNX Runtime forward: {ort:0.00}x"));
        if (report.ImportToNative is double nat)
            output.WriteLine(string.Create(c, $"imported forward / native TorchSharp forward: {nat:0.00}x"));
        if (report.ToOnnxRuntimeForward.Count > 0)
        {
            output.WriteLine("default path (ONNX Runtime to the layer, TorchSharp after it) / ONNX Runtime forward:");
            foreach (BenchmarkRow row in report.ToOnnxRuntimeForward)
                output.WriteLine(string.Create(c, $"  {row.Name,-26} {row.RatioToForward,9:0.00}x"));
        }
        foreach (FloorRatio floor in report.Floors)
        {
            output.WriteLine(string.Create(c, $"{floor.Method} / its floor ({floor.Forwards} forwards at batch " +
                $"{floor.BatchSize}): {floor.Ratio:0.00}x"));
            if (floor.RatioToOnnxRuntime is double bare)
            {
                output.WriteLine(string.Create(c, $"{floor.Method} / as many ONNX Runtime forwards (a bare session, " +
                    $"batch {floor.BatchSize}): {bare:0.00}x"));
            }
        }
        BenchmarkRow? scoreCam = report.Rows.FirstOrDefault(r => r.Name == "scorecam");
        BenchmarkRow? ablationCam = report.Rows.FirstOrDefault(r => r.Name == "ablationcam");
        if (scoreCam is not null && ablationCam is not null)
        {
            output.WriteLine(string.Create(c, $"ablationcam / scorecam: " +
                $"{ablationCam.MedianMilliseconds / scoreCam.MedianMilliseconds:0.000}x"));
        }
        output.WriteLine(string.Create(c, $"peak resident memory of this run: {report.ProcessPeakMegabytes:0} MB"));
        if (report.GrowthMegabytes is double growth)
            output.WriteLine(string.Create(c,
                $"{report.GrowthIterations} Grad-CAM explanations grew the process by {growth:0.0} MB"));
        return ExitCodes.Success;
    }
}
