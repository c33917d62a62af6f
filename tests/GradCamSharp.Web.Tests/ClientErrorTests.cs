using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using GradCamSharp.Web.Study;

namespace GradCamSharp.Web.Tests;

/// <summary>
/// Every client error gets its own 4xx and a JSON body that says what was wrong; every response carries the headers
/// that keep a browser from sniffing, framing or leaking it; the OpenAPI document says what each upload takes and
/// every error it can answer; one participant's concurrent study requests are each served.
/// </summary>
public sealed partial class ClientErrorTests : IClassFixture<DemoServer>
{
    private readonly DemoServer _server;

    public ClientErrorTests(DemoServer server) => _server = server;

    private static async Task<string> Error(HttpResponseMessage response)
    {
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using JsonDocument body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        string message = body.RootElement.GetProperty("error").GetString()!;
        Assert.DoesNotContain('\n', message);
        return message;
    }

    private static ByteArrayContent Body(string text, string contentType)
    {
        var content = new ByteArrayContent(Encoding.ASCII.GetBytes(text));
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        return content;
    }

    [Fact]
    public async Task MalformedMultipartBodies_Get400_SayingWhatIsWrong()
    {
        HttpClient client = _server.CreateClient();
        const string part = "--b\r\nContent-Disposition: form-data; name=\"image\"; filename=\"a.jpg\"\r\n\r\nxyz\r\n";

        HttpResponseMessage noBoundary = await client.PostAsync("/api/explain",
            Body(part + "--b--\r\n", "multipart/form-data"));
        HttpResponseMessage unclosed = await client.PostAsync("/api/explain",
            Body(part, "multipart/form-data; boundary=b"));
        var fields = new StringBuilder();
        for (int i = 0; i < 1100; i++)
        {
            fields.Append(System.Globalization.CultureInfo.InvariantCulture,
                $"--b\r\nContent-Disposition: form-data; name=\"f{i}\"\r\n\r\nv\r\n");
        }
        HttpResponseMessage tooManyFields = await client.PostAsync("/api/explain",
            Body(fields + "--b--\r\n", "multipart/form-data; boundary=b"));
        string longHeader = $"--b\r\nContent-Disposition: form-data; name=\"x\"\r\nX-Long: {new string('a', 20_000)}" +
            "\r\n\r\nv\r\n--b--\r\n";
        HttpResponseMessage longPartHeader = await client.PostAsync("/api/explain",
            Body(longHeader, "multipart/form-data; boundary=b"));

        Assert.Equal(HttpStatusCode.BadRequest, noBoundary.StatusCode);
        Assert.Contains("boundary", await Error(noBoundary));
        Assert.Equal(HttpStatusCode.BadRequest, unclosed.StatusCode);
        Assert.Contains("ends before its closing boundary", await Error(unclosed));
        Assert.Equal(HttpStatusCode.BadRequest, tooManyFields.StatusCode);
        Assert.Contains("too many fields", await Error(tooManyFields));
        Assert.Equal(HttpStatusCode.BadRequest, longPartHeader.StatusCode);
        Assert.Contains("headers that are too long", await Error(longPartHeader));
    }

    [Fact]
    public async Task AContentLengthShorterThanTheBody_Is400_OnTheRealServer()
    {
        await using DemoServer server = await DemoServer.StartAsync(new ServerOptions(), kestrel: true);
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(server.Address.Host, server.Address.Port);
        NetworkStream stream = tcp.GetStream();
        string body = "--b\r\nContent-Disposition: form-data; name=\"image\"; filename=\"a.jpg\"\r\n\r\n" +
            new string('x', 200) + "\r\n--b--\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes("POST /api/explain HTTP/1.1\r\nHost: localhost\r\n" +
            $"Content-Type: multipart/form-data; boundary=b\r\nContent-Length: {body.Length / 2}\r\n" +
            $"Connection: close\r\n\r\n{body}"));
        string response = await new StreamReader(stream, Encoding.ASCII).ReadToEndAsync();

        Assert.StartsWith("HTTP/1.1 400", response);
        Assert.Contains("ends before its closing boundary", response);
    }

    [Fact]
    public async Task UnknownRoutesAndMethods_GetJsonBodies()
    {
        HttpClient client = _server.CreateClient();
        HttpResponseMessage missing = await client.GetAsync("/api/nothing-here");
        HttpResponseMessage wrongMethod = await client.DeleteAsync("/api/explain");
        HttpResponseMessage missingImage = await client.GetAsync("/api/images/0123.png");

        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Contains("/api/nothing-here", await Error(missing));
        Assert.Equal(HttpStatusCode.MethodNotAllowed, wrongMethod.StatusCode);
        Assert.Contains("DELETE", await Error(wrongMethod));
        Assert.Equal(HttpStatusCode.NotFound, missingImage.StatusCode);
        Assert.Contains("no image", await Error(missingImage));
    }

    [Fact]
    public async Task EveryResponse_CarriesTheSecurityHeaders_AndPagesAPolicyOfTheirOwnScripts()
    {
        HttpClient client = _server.CreateClient();
        HttpResponseMessage page = await client.GetAsync("/");
        HttpResponseMessage api = await client.GetAsync("/api/samples");
        HttpResponseMessage error = await client.GetAsync("/nothing");

        foreach (HttpResponseMessage response in (HttpResponseMessage[])[page, api, error])
        {
            Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
            Assert.Equal("DENY", response.Headers.GetValues("X-Frame-Options").Single());
            Assert.Equal("no-referrer", response.Headers.GetValues("Referrer-Policy").Single());
        }
        string policy = page.Headers.GetValues("Content-Security-Policy").Single();
        string html = await page.Content.ReadAsStringAsync();
        // The page's one inline script, hashed here independently, is the only script the policy allows.
        string script = Script().Match(html).Groups[1].Value;
        string hash = Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(script)));
        Assert.Contains($"script-src 'sha256-{hash}';", policy);
        Assert.Contains("default-src 'none'", policy);
        Assert.Contains("frame-ancestors 'none'", policy);
        Assert.DoesNotContain("unsafe-inline", policy);
    }

    [Fact]
    public async Task OpenApi_DescribesEachUploadsFields_AndItsErrors()
    {
        HttpClient client = _server.CreateClient();
        using JsonDocument document = JsonDocument.Parse(await client.GetStringAsync("/openapi/v1.json"));
        JsonElement paths = document.RootElement.GetProperty("paths");
        JsonElement explain = paths.GetProperty("/api/explain").GetProperty("post");
        JsonElement schema = explain.GetProperty("requestBody").GetProperty("content")
            .GetProperty("multipart/form-data").GetProperty("schema");
        string[] fields = [.. schema.GetProperty("properties").EnumerateObject().Select(p => p.Name)];
        Assert.Equal(["image", "method", "class", "top", "colormap"], fields);
        Assert.Equal("image", schema.GetProperty("required")[0].GetString());
        string[] methods = [.. schema.GetProperty("properties").GetProperty("method").GetProperty("items")
            .GetProperty("enum").EnumerateArray().Select(e => e.GetString()!)];
        Assert.Contains("gradcam", methods);
        string[] statuses = [.. explain.GetProperty("responses").EnumerateObject().Select(r => r.Name)];
        Assert.Equal(["200", "400", "413", "503"], statuses);
        Assert.True(paths.GetProperty("/api/vqa").GetProperty("post").GetProperty("requestBody")
            .GetProperty("content").GetProperty("multipart/form-data").GetProperty("schema")
            .GetProperty("properties").TryGetProperty("question", out _));
        Assert.True(paths.GetProperty("/api/images/{id}.png").GetProperty("get").GetProperty("responses")
            .TryGetProperty("404", out _));
    }

    [GeneratedRegex("<script>(.*?)</script>", RegexOptions.Singleline)]
    private static partial Regex Script();
}

/// <summary>A study's client errors and one participant's concurrent requests.</summary>
public sealed class StudyClientErrorTests : IAsyncLifetime, IDisposable
{
    private readonly TempFolder _folder = new();
    private DemoServer _server = null!;

    public async Task InitializeAsync() => _server = await DemoServer.StartAsync(new ServerOptions
    {
        Study = new StudyOptions { Name = "errors", DatabasePath = _folder["study.db"], Seed = 3 },
    });

    public async Task DisposeAsync() => await _server.DisposeAsync();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task ConcurrentTrialRequests_OfOneParticipant_AreEachServedTheirOwnTrial()
    {
        HttpClient client = _server.CreateClient();
        const string participant = "same-participant-42";
        HttpResponseMessage[] responses = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ =>
            client.PostAsJsonAsync("/api/study/trials", new { participant })));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        long[] trials = await Task.WhenAll(responses.Select(async r =>
            JsonDocument.Parse(await r.Content.ReadAsStringAsync()).RootElement.GetProperty("trial").GetInt64()));
        Assert.Equal(8, trials.Distinct().Count());
    }

    [Fact]
    public async Task MalformedJson_Is400_WithAReason()
    {
        HttpClient client = _server.CreateClient();
        var content = new StringContent("{\"participant\": \"abcdefgh-1\", \"trial\": ", Encoding.UTF8,
            "application/json");
        HttpResponseMessage response = await client.PostAsync("/api/study/answers", content);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using JsonDocument body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Contains("JSON", body.RootElement.GetProperty("error").GetString());
    }

    [Fact]
    public void ADatabaseInAPlaceThatCannotBeWritten_IsReportedAsSuch_NotAsAForeignFile()
    {
        // Places no user can write, root included: /proc, and a "folder" that is a file.
        File.WriteAllText(_folder["a-file"], "x");
        foreach (string path in (string[])["/proc/study.db", Path.Combine(_folder["a-file"], "study.db")])
        {
            var refused = Assert.Throws<Pipeline.OutputException>(() => StudyDatabase.Open(path));
            Assert.Contains("cannot create", refused.Message);
            Assert.DoesNotContain("not a study database", refused.Message);
        }
    }
}
