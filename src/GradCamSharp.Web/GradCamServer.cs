using GradCamSharp.Web.Study;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;

namespace GradCamSharp.Web;

/// <summary>
/// Builds the web service: the demo page and its API, <c>/openapi/v1.json</c>, <c>/healthz</c>, and the study when
/// one is configured. <c>gradcam serve</c> and the tests are thin shells over this.
/// </summary>
public static class GradCamServer
{
    /// <summary>Builds (without starting) the service for <paramref name="options"/>.</summary>
    /// <param name="options">Where to listen, the model, the limits, the study.</param>
    /// <param name="configure">Last changes to the builder (the tests swap in an in-memory server).</param>
    /// <exception cref="UsageException">Bad limits or study options.</exception>
    public static WebApplication Build(ServerOptions options, Action<WebApplicationBuilder>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        WebLimits limits = options.Limits.Validated();
        WebApplicationBuilder builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            ContentRootPath = AppContext.BaseDirectory,
        });
        // The command prints what a user needs; ASP.NET Core's per-request information would bury it.
        builder.Logging.ClearProviders().AddSimpleConsole(console => console.SingleLine = true)
            .SetMinimumLevel(LogLevel.Warning);
        // Each address listened on explicitly: Kestrel takes a URL whose host is not an IP address or "localhost" as
        // every interface, which would widen a mistyped --host to the whole network.
        IReadOnlyList<System.Net.IPAddress> addresses = options.ListenAddresses();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Limits.MaxRequestBodySize = limits.MaxRequestBytes;
            kestrel.Limits.MaxConcurrentConnections = WebLimits.MaxConnections;
            kestrel.Limits.MaxConcurrentUpgradedConnections = WebLimits.MaxConnections;
            kestrel.Limits.MaxRequestBufferSize = WebLimits.RequestBufferBytes;
            foreach (System.Net.IPAddress address in addresses) kestrel.Listen(address, options.Port);
        });
        builder.Services.Configure<FormOptions>(form =>
            form.MultipartBodyLengthLimit = FormOptionsFor(limits).MultipartBodyLengthLimit);
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton<ExplainService>();
        if (options.Study is StudyOptions study)
        {
            // Opened now, so that a bad source or database stops the server before it listens.
            builder.Services.AddSingleton(services =>
                new StudyService(study, services.GetRequiredService<ExplainService>()));
        }
        // A body that does not bind (malformed JSON, a wrong type) is thrown, so that ErrorResponses answers it with
        // a reason like every other client error, instead of an empty 400.
        builder.Services.Configure<Microsoft.AspNetCore.Routing.RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        builder.Services.AddOpenApi();
        builder.Services.AddHealthChecks();
        configure?.Invoke(builder);

        WebApplication app = builder.Build();
        try
        {
            // Loaded and opened now, so that a bad model, study source or database stops the server before it
            // listens.
            app.Services.GetRequiredService<ExplainService>().LoadServedModel();
            if (options.Study is not null) app.Services.GetRequiredService<StudyService>();
        }
        catch
        {
            ((IDisposable)app).Dispose();
            throw;
        }
        app.UseErrorResponses(limits);
        app.MapExplainApi();
        if (options.Study is not null) app.MapStudy();
        app.MapOpenApi();
        app.MapHealthChecks("/healthz");
        return app;
    }

    /// <summary>How the service reads multipart forms under <paramref name="limits"/> (ASP.NET Core's defaults
    /// otherwise): what the fuzzing target reads forms with too.</summary>
    public static FormOptions FormOptionsFor(WebLimits limits)
    {
        ArgumentNullException.ThrowIfNull(limits);
        return new FormOptions { MultipartBodyLengthLimit = limits.MaxRequestBytes };
    }

    /// <summary>The URLs a started service listens on (with the port it was given when it asked for 0).</summary>
    public static IReadOnlyList<string> Addresses(WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        return app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.ToArray()
            ?? [];
    }
}
