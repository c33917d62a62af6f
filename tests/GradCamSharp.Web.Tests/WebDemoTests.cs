using System.Net;
using System.Text.Json;

namespace GradCamSharp.Web.Tests;

/// <summary>The demo end to end, in-process: the page, the model description, and explanations of an upload.</summary>
public sealed class WebDemoTests(DemoServer server) : IClassFixture<DemoServer>
{
    private static string Samples => Path.Combine(SharedFixtures.RepositoryRoot, "samples");

    private static MultipartFormDataContent Upload(byte[] image, string name,
        params (string Key, string Value)[] fields) => Uploads.Form(image, name, fields);

    [Fact]
    public async Task Page_And_ModelDescription_AreServed()
    {
        HttpClient client = server.CreateClient();
        string page = await client.GetStringAsync("/");
        Assert.Contains("<form id=\"form\">", page);
        Assert.Contains("id=\"sample\"", page);
        using JsonDocument model = JsonDocument.Parse(await client.GetStringAsync("/api/model"));
        Assert.Contains("dog", model.RootElement.GetProperty("labels").EnumerateArray().Select(l => l.GetString()));
        Assert.Equal("gradcam", model.RootElement.GetProperty("methods")[0].GetString());
    }

    [Fact]
    public async Task Explain_DogPhoto_ReturnsMapsPanelAndAPeakInTheDog()
    {
        HttpClient client = server.CreateClient();
        byte[] dog = await File.ReadAllBytesAsync(Path.Combine(Samples, "dog.jpg"));
        HttpResponseMessage response = await client.PostAsync("/api/explain",
            Upload(dog, "dog.jpg", ("class", "dog"), ("method", "gradcam"), ("method", "guided-gradcam")));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using JsonDocument body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(768, body.RootElement.GetProperty("width").GetInt32());
        JsonElement[] top = body.RootElement.GetProperty("top_classes").EnumerateArray().ToArray();
        Assert.Equal(5, top.Length);
        Assert.Contains("dog", top.Select(c => c.GetProperty("class_label").GetString()));
        double[] probabilities = top.Select(c => c.GetProperty("probability").GetDouble()).ToArray();
        Assert.Equal(probabilities.OrderDescending(), probabilities);
        Assert.InRange(probabilities.Sum(), 0, 1 + 1e-9);
        JsonElement target = Assert.Single(body.RootElement.GetProperty("targets").EnumerateArray().ToArray());
        Assert.Equal("dog", target.GetProperty("class_label").GetString());
        // Images are binary resources of their own, not base64 inside the JSON.
        string panel = target.GetProperty("panel").GetString()!;
        Assert.StartsWith("/api/images/", panel, StringComparison.Ordinal);
        HttpResponseMessage image = await client.GetAsync(panel);
        Assert.Equal("image/png", image.Content.Headers.ContentType?.MediaType);
        byte[] png = await image.Content.ReadAsByteArrayAsync();
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], png[..4]);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/api/images/nothing.png")).StatusCode);
        JsonElement[] maps = target.GetProperty("maps").EnumerateArray().ToArray();
        Assert.Equal(["gradcam", "guided-gradcam"], maps.Select(m => m.GetProperty("method").GetString()));
        int[] peak = maps[0].GetProperty("peak").EnumerateArray().Select(v => v.GetInt32()).ToArray();
        Assert.InRange(peak[0], 124, 321);
        Assert.InRange(peak[1], 223, 540);
    }

    [Fact]
    public async Task Explain_BadInput_IsA400WithAReason()
    {
        HttpClient client = server.CreateClient();
        HttpResponseMessage corrupt =
            await client.PostAsync("/api/explain", Upload("not an image"u8.ToArray(), "x.jpg"));
        Assert.Equal(HttpStatusCode.BadRequest, corrupt.StatusCode);
        Assert.Contains("not a supported image", await corrupt.Content.ReadAsStringAsync());

        byte[] dog = await File.ReadAllBytesAsync(Path.Combine(Samples, "dog.jpg"));
        HttpResponseMessage badClass =
            await client.PostAsync("/api/explain", Upload(dog, "dog.jpg", ("class", "unicorn")));
        Assert.Equal(HttpStatusCode.BadRequest, badClass.StatusCode);
        Assert.Contains("unknown class 'unicorn'", await badClass.Content.ReadAsStringAsync());

        HttpResponseMessage noFile =
            await client.PostAsync("/api/explain", new MultipartFormDataContent { { new StringContent("2"), "top" } });
        Assert.Equal(HttpStatusCode.BadRequest, noFile.StatusCode);
        Assert.Contains("no 'image' file", await noFile.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Explain_DecompressionBombAndTruncatedPhoto_Are400s_NeverAnOutOfMemory()
    {
        HttpClient client = server.CreateClient();
        HttpResponseMessage bomb = await client.PostAsync("/api/explain",
            Upload(HostileImages.PngBomb(20000, 20000), "bomb.png"));
        Assert.Equal(HttpStatusCode.BadRequest, bomb.StatusCode);
        Assert.Contains("over the limit of 40 megapixels", await bomb.Content.ReadAsStringAsync());

        byte[] dog = await File.ReadAllBytesAsync(Path.Combine(Samples, "dog.jpg"));
        HttpResponseMessage truncated = await client.PostAsync("/api/explain",
            Upload(HostileImages.Truncated(dog), "dog.jpg"));
        Assert.Equal(HttpStatusCode.BadRequest, truncated.StatusCode);
        Assert.Contains("is truncated", await truncated.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Limits_ComeFromTheServerOptions()
    {
        await using DemoServer strict = await DemoServer.StartAsync(new ServerOptions
        {
            Limits = new WebLimits { MaxUploadMegabytes = 1, MaxMegapixels = 0.1 },
        });
        HttpClient client = strict.CreateClient();
        byte[] dog = await File.ReadAllBytesAsync(Path.Combine(Samples, "dog.jpg"));
        HttpResponseMessage tooManyPixels = await client.PostAsync("/api/explain", Upload(dog, "dog.jpg"));
        Assert.Equal(HttpStatusCode.BadRequest, tooManyPixels.StatusCode);
        Assert.Contains("over the limit of 0.1 megapixels", await tooManyPixels.Content.ReadAsStringAsync());
        HttpResponseMessage tooLarge = await client.PostAsync("/api/explain",
            Upload(new byte[1024 * 1024 + 1], "big.jpg"));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, tooLarge.StatusCode);
    }

    [Fact]
    public async Task AnyOnnxModel_IsServed()
    {
        string model = SharedFixtures.RequireGunzipped("fixtures/onnx/squeezenet1_1.onnx.gz");
        await using DemoServer onnx = await DemoServer.StartAsync(new ServerOptions { Model = model });
        HttpClient client = onnx.CreateClient();
        byte[] dog = await File.ReadAllBytesAsync(Path.Combine(Samples, "dog.jpg"));

        HttpResponseMessage response = await client.PostAsync("/api/explain",
            Upload(dog, "dog.jpg", ("class", "3"), ("method", "gradcam")));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using JsonDocument body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(model, body.RootElement.GetProperty("model").GetString());
        Assert.Equal(3, Assert.Single(body.RootElement.GetProperty("targets").EnumerateArray().ToArray())
            .GetProperty("class_index").GetInt32());
        Assert.Equal(5, body.RootElement.GetProperty("top_classes").GetArrayLength());
    }
}
