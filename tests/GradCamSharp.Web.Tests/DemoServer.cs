using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace GradCamSharp.Web.Tests;

/// <summary>
/// The service as <c>gradcam serve</c> builds it, started either in memory (the test host: requests never touch the
/// network) or on Kestrel at 127.0.0.1 on a free port (for what needs real sockets: a browser, Expect: 100-continue).
/// </summary>
public sealed class DemoServer : IAsyncLifetime
{
    private readonly bool _kestrel;

    /// <summary>The in-memory service with default options (the xunit class fixture).</summary>
    public DemoServer() : this(new ServerOptions()) { }

    private DemoServer(ServerOptions options, bool kestrel = false)
    {
        Options = kestrel ? options with { Port = 0 } : options;
        _kestrel = kestrel;
    }

    public ServerOptions Options { get; }

    public WebApplication App { get; private set; } = null!;

    internal ExplainService Service => App.Services.GetRequiredService<ExplainService>();

    /// <summary>The Kestrel server's base address (only when started on Kestrel).</summary>
    public Uri Address => new(GradCamServer.Addresses(App)[0]);

    public HttpClient CreateClient() => _kestrel
        ? new HttpClient { BaseAddress = Address, Timeout = TimeSpan.FromMinutes(5) }
        : App.GetTestClient();

    public static async Task<DemoServer> StartAsync(ServerOptions options, bool kestrel = false)
    {
        var server = new DemoServer(options, kestrel);
        await server.InitializeAsync();
        return server;
    }

    public async Task InitializeAsync()
    {
        App = GradCamServer.Build(Options, builder =>
        {
            if (!_kestrel) builder.WebHost.UseTestServer();
        });
        await App.StartAsync();
    }

    public async Task DisposeAsync() => await App.DisposeAsync();
}
