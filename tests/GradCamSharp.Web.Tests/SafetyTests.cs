using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace GradCamSharp.Web.Tests;

/// <summary>
/// Every line of the service's safety promises: oversized, broken and hostile uploads, unknown names, a full queue,
/// slow requests, clients that go away, temporary files. Slow work is Score-CAM on the default model (hundreds of
/// forward passes), which none of these tests lets finish. They run alone, after the other classes: uploads in any
/// other test make temporary files of their own, which the temporary-files check would count.
/// </summary>
[Collection(nameof(SafetyTests))]
public sealed class SafetyTests
{
    private static readonly byte[] Dog = File.ReadAllBytes(Path.Combine(SharedFixtures.Samples, "dog.jpg"));

    private static MultipartFormDataContent Upload(byte[] image, string name = "dog.jpg",
        params (string Key, string Value)[] fields) => Uploads.Form(image, name, fields);

    private static async Task<string> Error(HttpResponseMessage response)
    {
        using JsonDocument body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        string message = body.RootElement.GetProperty("error").GetString()!;
        Assert.DoesNotContain('\n', message);
        return message;
    }

    private static async Task WaitUntil(Func<bool> condition, string what)
    {
        for (int i = 0; i < 600 && !condition(); i++) await Task.Delay(100);
        Assert.True(condition(), $"timed out waiting until {what}");
    }

    [Fact]
    public async Task OversizedUpload_Is413_BeforeItsBodyIsSent()
    {
        await using DemoServer server = await DemoServer.StartAsync(new ServerOptions(), kestrel: true);
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(server.Address.Host, server.Address.Port);
        NetworkStream stream = tcp.GetStream();
        long declared = server.Service.Limits.MaxRequestBytes + 1;
        // Expect: 100-continue: a client sends the body only when the server asks for it.
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"POST /api/explain HTTP/1.1\r\nHost: localhost\r\n" +
            $"Content-Type: multipart/form-data; boundary=x\r\nContent-Length: {declared}\r\n" +
            "Expect: 100-continue\r\n\r\n"));
        var reader = new StreamReader(stream, Encoding.ASCII);
        string status = (await reader.ReadLineAsync())!;

        // The first line is the refusal: no "100 Continue" came before it, so no byte of the body was sent.
        Assert.StartsWith("HTTP/1.1 413", status);
    }

    [Fact]
    public async Task OversizedUpload_WithoutContentLength_Is413()
    {
        await using DemoServer server = await DemoServer.StartAsync(new ServerOptions
        {
            Limits = new WebLimits { MaxUploadMegabytes = 1 },
        }, kestrel: true);
        using HttpClient client = server.CreateClient();
        var form = new MultipartFormDataContent();
        // A stream of unknown length goes chunked: the limit is enforced while reading.
        form.Add(new StreamContent(new ChunkedOnly(new byte[3 * 1024 * 1024])), "image", "big.jpg");
        form.Headers.ContentLength = null;

        HttpResponseMessage response = await client.PostAsync("/api/explain", form);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Contains("1 MB", await Error(response));
    }

    [Fact]
    public async Task NonImages_CorruptAndTruncatedImages_AndBombs_Are400WithOneLine()
    {
        await using DemoServer server = await DemoServer.StartAsync(new ServerOptions());
        HttpClient client = server.CreateClient();
        byte[] corrupt = [.. Dog[..200], .. new byte[Dog.Length - 200]];
        var cases = new (byte[] Bytes, string Name, string Expected)[]
        {
            ("hello, world"u8.ToArray(), "notes.txt", "not a supported image"),
            (corrupt, "corrupt.jpg", "corrupt.jpg"),
            (HostileImages.Truncated(Dog), "truncated.jpg", "is truncated"),
            (HostileImages.PngBomb(20000, 20000), "bomb.png", "20000x20000"),
        };
        foreach ((byte[] bytes, string name, string expected) in cases)
        {
            HttpResponseMessage response = await client.PostAsync("/api/explain", Upload(bytes, name));
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Contains(expected, await Error(response));
        }
    }

    [Fact]
    public async Task UnknownMethodClassOrColormap_Is400NamingTheValidValues()
    {
        await using DemoServer server = await DemoServer.StartAsync(new ServerOptions());
        HttpClient client = server.CreateClient();

        string method = await Error(await client.PostAsync("/api/explain", Upload(Dog, "dog.jpg",
            ("method", "unicorn-cam"))));
        string colormap = await Error(await client.PostAsync("/api/explain", Upload(Dog, "dog.jpg",
            ("method", "gradcam"), ("colormap", "sepia"))));
        string label = await Error(await client.PostAsync("/api/explain", Upload(Dog, "dog.jpg",
            ("class", "unicorn"))));

        Assert.Contains("unicorn-cam", method);
        Assert.All(new[] { "gradcam", "guided-backprop", "scorecam" }, m => Assert.Contains(m, method));
        Assert.Contains("sepia", colormap);
        Assert.All(new[] { "jet", "viridis", "gray" }, c => Assert.Contains(c, colormap));
        Assert.Contains("unicorn", label);
        Assert.Contains("dog", label);
    }

    [Fact]
    public async Task FullQueue_Is503WithRetryAfter_AndTheQueuedRequestStillRuns()
    {
        await using DemoServer server = await DemoServer.StartAsync(new ServerOptions
        {
            Limits = new WebLimits { QueueCapacity = 1 },
        });
        HttpClient client = server.CreateClient();
        using var stop = new CancellationTokenSource();
        Task<HttpResponseMessage> working = client.PostAsync("/api/explain",
            Upload(Dog, "dog.jpg", ("method", "scorecam")), stop.Token);
        await WaitUntil(() => server.Service.Turns.Busy, "the first request works");
        Task<HttpResponseMessage> waiting = client.PostAsync("/api/explain",
            Upload(Dog, "dog.jpg", ("method", "gradcam")));
        await WaitUntil(() => server.Service.Turns.Pending == 2, "the second request waits");

        HttpResponseMessage refused = await client.PostAsync("/api/explain", Upload(Dog, "dog.jpg",
            ("method", "gradcam")));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.True(refused.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1));
        Assert.Contains("busy", await Error(refused));
        Assert.Equal(1, server.Service.Turns.Rejected);
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => working);
        Assert.Equal(HttpStatusCode.OK, (await waiting).StatusCode);
    }

    [Fact]
    public async Task SlowRequest_Is503OnceItsTimeLimitPasses()
    {
        await using DemoServer server = await DemoServer.StartAsync(new ServerOptions
        {
            Limits = new WebLimits { RequestTimeoutSeconds = 1 },
        });
        HttpClient client = server.CreateClient();
        // Load the model first, so that the limit falls on the explanation.
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/model")).StatusCode);

        HttpResponseMessage response = await client.PostAsync("/api/explain",
            Upload(Dog, "dog.jpg", ("method", "scorecam")));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.NotNull(response.Headers.RetryAfter);
        Assert.Contains("limit of 1 s", await Error(response));
        Assert.Equal(1, server.Service.Turns.Cancelled);
        Assert.Equal(1, server.Service.Turns.Completed);   // the model's description only
    }

    [Fact]
    public async Task ClientThatGoesAway_CancelsItsWork()
    {
        await using DemoServer server = await DemoServer.StartAsync(new ServerOptions());
        HttpClient client = server.CreateClient();
        using var stop = new CancellationTokenSource();
        Task<HttpResponseMessage> request = client.PostAsync("/api/explain",
            Upload(Dog, "dog.jpg", ("method", "scorecam")), stop.Token);
        await WaitUntil(() => server.Service.Turns.Busy, "the request works");

        await stop.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => request);
        await WaitUntil(() => !server.Service.Turns.Busy, "the work stops");
        Assert.Equal(1, server.Service.Turns.Cancelled);
        Assert.Equal(0, server.Service.Turns.Completed);
    }

    [Fact]
    public async Task Requests_LeaveNoTemporaryFiles()
    {
        await using DemoServer server = await DemoServer.StartAsync(new ServerOptions());
        HttpClient client = server.CreateClient();
        string[] before = TemporaryUploads();

        // Uploads above 64 KB are buffered to a file while the form is read; each must be gone afterwards.
        HttpResponseMessage explained = await client.PostAsync("/api/explain", Upload(Dog, "dog.jpg",
            ("method", "gradcam")));
        HttpResponseMessage refused = await client.PostAsync("/api/explain", Upload(HostileImages.Truncated(Dog)));

        Assert.Equal(HttpStatusCode.OK, explained.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        // Other test classes upload at the same time, and each buffer goes when its request ends: a leak is a file
        // that stays, not one seen in passing (the wait is up to a minute).
        await WaitUntil(() => !TemporaryUploads().Except(before).Any(), "every buffered upload is deleted");
    }

    private static string[] TemporaryUploads() =>
        Directory.GetFiles(Environment.GetEnvironmentVariable("ASPNETCORE_TEMP") ?? Path.GetTempPath(),
            "ASPNETCORE_*");

    [Fact]
    public async Task OpenApi_Health_AndSamples_AreServed()
    {
        await using DemoServer server = await DemoServer.StartAsync(new ServerOptions());
        HttpClient client = server.CreateClient();

        using JsonDocument openApi = JsonDocument.Parse(await client.GetStringAsync("/openapi/v1.json"));
        string[] paths = openApi.RootElement.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToArray();
        string[] samples = JsonSerializer.Deserialize<string[]>(await client.GetStringAsync("/api/samples"))!;

        Assert.Equal("Healthy", await client.GetStringAsync("/healthz"));
        Assert.Subset(paths.ToHashSet(), new HashSet<string> { "/api/model", "/api/explain", "/api/samples" });
        Assert.Contains("dog.jpg", samples);
        Assert.Equal(Dog, await client.GetByteArrayAsync("/samples/dog.jpg"));
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/samples/boxes.json")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/samples/..%2Fgradcam.dll")).StatusCode);
    }

    /// <summary>A stream that hides its length, so that HTTP sends it chunked.</summary>
    private sealed class ChunkedOnly(byte[] data) : MemoryStream(data)
    {
        public override bool CanSeek => false;
    }
}

/// <summary>Keeps <see cref="SafetyTests"/> from running beside any other test.</summary>
[CollectionDefinition(nameof(SafetyTests), DisableParallelization = true)]
public sealed class SafetyTestsRunAlone
{
}
