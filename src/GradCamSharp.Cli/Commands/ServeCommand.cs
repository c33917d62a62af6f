using System.CommandLine;
using GradCamSharp.Imaging;
using GradCamSharp.Web;
using GradCamSharp.Web.Study;
using Microsoft.AspNetCore.Builder;

namespace GradCamSharp.Cli.Commands;

/// <summary><c>gradcam serve</c>: the web demo, its API and (with --study) the paper's human studies.</summary>
internal static class ServeCommand
{
    private const string Help = """
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
        """;

    internal static Command Create()
    {
        var options = new ServeOptions();
        Command command = CommandHelp.Create("serve", "Run the web demo (and a human study) on this machine", Help);
        options.AddTo(command);
        command.SetAction(async (result, cancellation) =>
            await Run(result.InvocationConfiguration.Error, Read(result, options), cancellation));
        return command;
    }

    /// <summary>The server's options as the command line gives them.</summary>
    private static ServerOptions Read(ParseResult result, ServeOptions o)
    {
        (string spec, var loadOptions) = o.Common.Read(result);
        string? studyName = result.GetValue(o.Study);
        var defaults = new StudyOptions { Name = "-", DatabasePath = "-" };
        return new ServerOptions
        {
            Host = result.GetValue(o.Host)!, Port = result.GetValue(o.Port), Model = spec, ModelOptions = loadOptions,
            Limits = new WebLimits
            {
                MaxUploadMegabytes = result.GetValue(o.MaxUpload), MaxMegapixels = result.GetValue(o.MaxMegapixels),
                QueueCapacity = result.GetValue(o.Queue), RequestTimeoutSeconds = result.GetValue(o.Timeout),
                ImageWorkers = result.GetValue(o.ImageWorkers), ImageStoreMegabytes = result.GetValue(o.ImageStore),
            },
            Study = studyName is null ? null : defaults with
            {
                Name = studyName,
                DatabasePath = result.GetValue(o.StudyDatabase) ?? $"study-{studyName}.db",
                Source = result.GetValue(o.StudySource)!,
                Methods = Or(result.GetValue(o.StudyMethods), defaults.Methods),
                Models = Or(result.GetValue(o.StudyModels), defaults.Models),
                Kinds = Or(result.GetValue(o.StudyKinds), defaults.Kinds),
            },
        };
    }

    /// <summary>Every option of <c>serve</c>: the model's, the server's limits and the study's.</summary>
    private sealed class ServeOptions
    {
        public CommonOptions Common { get; } = new();

        public Option<int> Port { get; } = new("--port", "-p")
        {
            Description = "The port (0 picks a free one)", DefaultValueFactory = _ => 5000,
        };

        public Option<string> Host { get; } = new("--host")
        {
            Description = "The address to listen on; anything but the loopback interface exposes the service to " +
                "the network", DefaultValueFactory = _ => "127.0.0.1",
        };

        public Option<int> MaxUpload { get; } = new("--max-upload-mb")
        {
            Description = "The largest upload in MB; larger ones get 413 before they are read",
            DefaultValueFactory = _ => new WebLimits().MaxUploadMegabytes,
        };

        public Option<double> MaxMegapixels { get; } = new("--max-megapixels")
        {
            Description = "Refuse images declaring more pixels than this, checked before decoding (400)",
            DefaultValueFactory = _ => ImageDecodeOptions.DefaultMaxPixels / 1e6,
        };

        public Option<int> Queue { get; } = new("--queue")
        {
            Description = "How many requests may wait for the model; more get 503 with Retry-After",
            DefaultValueFactory = _ => new WebLimits().QueueCapacity,
        };

        public Option<double> Timeout { get; } = new("--timeout")
        {
            Description = "The longest one request may take, waiting included, in seconds (then 503)",
            DefaultValueFactory = _ => new WebLimits().RequestTimeoutSeconds,
        };

        public Option<int> ImageWorkers { get; } = new("--image-workers")
        {
            Description = "How many requests may decode an upload or draw their maps at once (memory grows with each)",
            DefaultValueFactory = _ => new WebLimits().ImageWorkers,
        };

        public Option<int> ImageStore { get; } = new("--image-store-mb")
        {
            Description = "The memory the maps of recent responses may take, in MB (the oldest go first)",
            DefaultValueFactory = _ => new WebLimits().ImageStoreMegabytes,
        };

        public Option<string?> Study { get; } = new("--study") { Description = "Run the human study NAME at /study" };

        public Option<string?> StudyDatabase { get; } = new("--study-db")
        {
            Description = "The study's SQLite database (default: study-NAME.db; created when missing)",
        };

        public Option<string> StudySource { get; } = new("--study-source")
        {
            Description = $"The trials' pictures: {StudyOptions.Composites} (two objects cut from the shipped " +
                $"photos), {StudyOptions.Photos} (shipped photos with two objects) or a folder of images",
            DefaultValueFactory = _ => StudyOptions.Composites,
        };

        public Option<string[]> StudyMethods { get; } = new("--study-methods")
        {
            Description = "The methods whose maps the trials show, balanced per participant",
            AllowMultipleArgumentsPerToken = true,
            CustomParser = MethodOption.CommaSeparated,
        };

        public Option<string[]> StudyModels { get; } = new("--study-models")
        {
            Description = "The two models the trust trials compare (default: default default-prototypes)",
            AllowMultipleArgumentsPerToken = true,
            CustomParser = MethodOption.CommaSeparated,
        };

        public Option<string[]> StudyKinds { get; } = new("--study-kinds")
        {
            Description = $"The kinds of trial, in turn: {string.Join(", ", Web.Study.StudyKinds.All)}",
            AllowMultipleArgumentsPerToken = true,
            CustomParser = MethodOption.CommaSeparated,
        };

        public void AddTo(Command command)
        {
            Common.AddTo(command);
            foreach (Option option in new Option[] { Port, Host, MaxUpload, MaxMegapixels, Queue, Timeout,
                ImageWorkers, ImageStore, Study, StudyDatabase, StudySource, StudyMethods, StudyModels, StudyKinds })
            {
                command.Add(option);
            }
        }
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
