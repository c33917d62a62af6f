using System.CommandLine;
using GradCamSharp.Imaging;
using GradCamSharp.Web;
using GradCamSharp.Web.Study;
using Microsoft.AspNetCore.Builder;

namespace GradCamSharp.Cli.Commands;

/// <summary><c>gradcam serve</c>: the web demo, its API and (with --study) the paper's human studies.</summary>
public static class ServeCommand
{
    internal static Command Create()
    {
        var common = new CommonOptions();
        var port = new Option<int>("--port", "-p")
        {
            Description = "The port (0 picks a free one)", DefaultValueFactory = _ => 5000,
        };
        var host = new Option<string>("--host")
        {
            Description = "The address to listen on; anything but the loopback interface exposes the service to " +
                "the network", DefaultValueFactory = _ => "127.0.0.1",
        };
        var maxUpload = new Option<int>("--max-upload-mb")
        {
            Description = "The largest upload in MB; larger ones get 413 before they are read",
            DefaultValueFactory = _ => new WebLimits().MaxUploadMegabytes,
        };
        var maxMegapixels = new Option<double>("--max-megapixels")
        {
            Description = "Refuse images declaring more pixels than this, checked before decoding (400)",
            DefaultValueFactory = _ => ImageDecodeOptions.DefaultMaxPixels / 1e6,
        };
        var queue = new Option<int>("--queue")
        {
            Description = "How many requests may wait for the model; more get 503 with Retry-After",
            DefaultValueFactory = _ => new WebLimits().QueueCapacity,
        };
        var timeout = new Option<double>("--timeout")
        {
            Description = "The longest one request may take, waiting included, in seconds (then 503)",
            DefaultValueFactory = _ => new WebLimits().RequestTimeoutSeconds,
        };
        var imageWorkers = new Option<int>("--image-workers")
        {
            Description = "How many requests may decode an upload or draw their maps at once (memory grows with each)",
            DefaultValueFactory = _ => new WebLimits().ImageWorkers,
        };
        var imageStore = new Option<int>("--image-store-mb")
        {
            Description = "The memory the maps of recent responses may take, in MB (the oldest go first)",
            DefaultValueFactory = _ => new WebLimits().ImageStoreMegabytes,
        };
        var study = new Option<string?>("--study") { Description = "Run the human study NAME at /study" };
        var studyDatabase = new Option<string?>("--study-db")
        {
            Description = "The study's SQLite database (default: study-NAME.db; created when missing)",
        };
        var studySource = new Option<string>("--study-source")
        {
            Description = $"The trials' pictures: {StudyOptions.Composites} (two objects cut from the shipped " +
                $"photos), {StudyOptions.Photos} (shipped photos with two objects) or a folder of images",
            DefaultValueFactory = _ => StudyOptions.Composites,
        };
        var studyMethods = new Option<string[]>("--study-methods")
        {
            Description = "The methods whose maps the trials show, balanced per participant",
            AllowMultipleArgumentsPerToken = true,
        };
        var studyModels = new Option<string[]>("--study-models")
        {
            Description = "The two models the trust trials compare (default: default default-prototypes)",
            AllowMultipleArgumentsPerToken = true,
        };
        var studyKinds = new Option<string[]>("--study-kinds")
        {
            Description = $"The kinds of trial, in turn: {string.Join(", ", StudyKinds.All)}",
            AllowMultipleArgumentsPerToken = true,
        };
        var command = CommandHelp.Create("serve", "Run the web demo (and a human study) on this machine", """
            Start the web demo: upload a photo (or pick a shipped one), see the model's best classes and the maps of
            the methods chosen, download each map and the manifest. The API is described at /openapi/v1.json;
            /healthz answers when the service is up. It listens on 127.0.0.1 unless --host says otherwise, and stops
            on Ctrl-C.

            With --study NAME it also runs the paper's human studies at /study: class discrimination (one method's
            map for one of two objects: which object is it?) and trust (two models' maps for the same class: which is
            more reasonable, on a 5-point scale). Participants are anonymous ids; every answer is committed to the
            SQLite database as it arrives. Results: /study/results, or 'gradcam study-results --db FILE'.

            Examples:
              gradcam serve
              gradcam serve --port 8080 --max-upload-mb 20
              gradcam serve --model resnet50.onnx --labels imagenet.txt
              gradcam serve --study pilot --study-db pilot.db
            """);
        common.AddTo(command);
        foreach (Option option in new Option[]
        {
            port, host, maxUpload, maxMegapixels, queue, timeout, imageWorkers, imageStore, study, studyDatabase,
            studySource,
            studyMethods, studyModels, studyKinds,
        }) command.Add(option);
        command.SetAction(async (result, cancellation) =>
        {
            (string spec, var loadOptions) = common.Read(result);
            string? studyName = result.GetValue(study);
            var defaults = new StudyOptions { Name = "-", DatabasePath = "-" };
            var options = new ServerOptions
            {
                Host = result.GetValue(host)!, Port = result.GetValue(port), Model = spec, ModelOptions = loadOptions,
                Limits = new WebLimits
                {
                    MaxUploadMegabytes = result.GetValue(maxUpload), MaxMegapixels = result.GetValue(maxMegapixels),
                    QueueCapacity = result.GetValue(queue), RequestTimeoutSeconds = result.GetValue(timeout),
                    ImageWorkers = result.GetValue(imageWorkers), ImageStoreMegabytes = result.GetValue(imageStore),
                },
                Study = studyName is null ? null : defaults with
                {
                    Name = studyName,
                    DatabasePath = result.GetValue(studyDatabase) ?? $"study-{studyName}.db",
                    Source = result.GetValue(studySource)!,
                    Methods = Or(result.GetValue(studyMethods), defaults.Methods),
                    Models = Or(result.GetValue(studyModels), defaults.Models),
                    Kinds = Or(result.GetValue(studyKinds), defaults.Kinds),
                },
            };
            return await Run(result.InvocationConfiguration.Error, options, cancellation);
        });
        return command;
    }

    private static IReadOnlyList<string> Or(string[]? given, IReadOnlyList<string> fallback) =>
        given is { Length: > 0 } ? given : fallback;

    /// <summary>Serves until <paramref name="cancellation"/> fires (Ctrl-C); returns the exit code.</summary>
    public static async Task<int> Run(TextWriter error, ServerOptions options, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(error);
        ArgumentNullException.ThrowIfNull(options);
        if (options.Port is < 0 or > 65535) throw new UsageException($"--port must be 0 to 65535, got {options.Port}");
        // Requests decode, explain and draw on many threads; two heap arenas keep each thread's freed memory from
        // being kept apart (see NativeHeap.LimitArenas).
        NativeHeap.LimitArenas(2);
        await using WebApplication app = GradCamServer.Build(options);
        try
        {
            await app.StartAsync(cancellation);
        }
        catch (IOException exception)
        {
            throw new UsageException($"cannot listen on {options.UrlFor(options.Port)}: {exception.Message}");
        }
        foreach (string address in GradCamServer.Addresses(app)) error.WriteLine($"gradcam: serving on {address}");
        if (options.Study is StudyOptions study)
        {
            error.WriteLine($"gradcam: study '{study.Name}' at {GradCamServer.Addresses(app)[0]}/study, answers in " +
                $"{Path.GetFullPath(study.DatabasePath)}");
        }
        error.WriteLine("gradcam: press Ctrl-C to stop");
        error.Flush();
        try
        {
            await Task.Delay(Timeout.Infinite, cancellation);
        }
        catch (OperationCanceledException)
        {
        }
        await app.StopAsync(CancellationToken.None);
        error.WriteLine("gradcam: stopped");
        return ExitCodes.Success;
    }
}
