using System.Net;
using System.Text.Json;
using GradCamSharp.Imaging;
using GradCamSharp.Scenes;

namespace GradCamSharp.Web.Tests;

/// <summary>The demo's caption tab and question box, on a held-out shape scene.</summary>
public sealed class TextTabTests(DemoServer server) : IClassFixture<DemoServer>
{
    private static byte[] HeldOutScene()
    {
        using var world = new ShapeWorld();
        using Scene scene = world.Generate(4243, 2);
        using var folder = new TempFolder();
        string path = Path.Combine(folder.Path, "scene.png");
        PngFile.Save(scene.Image, path);
        return File.ReadAllBytes(path);
    }

    private static MultipartFormDataContent Upload(params (string Key, string Value)[] fields) =>
        Uploads.Form(HeldOutScene(), "scene.png", fields);

    [Fact]
    public async Task Page_OffersTheCaptionTabAndTheQuestionBox()
    {
        HttpClient client = server.CreateClient();
        string page = await client.GetStringAsync("/");
        Assert.Contains("id=\"caption-form\"", page);
        Assert.Contains("id=\"vqa-question\"", page);
        using JsonDocument model = JsonDocument.Parse(await client.GetStringAsync("/api/model"));
        Assert.Contains("shapes-captioner",
            model.RootElement.GetProperty("captioners").EnumerateArray().Select(m => m.GetString()));
        Assert.Contains("shapes-vqa",
            model.RootElement.GetProperty("vqa_models").EnumerateArray().Select(m => m.GetString()));
    }

    [Fact]
    public async Task Caption_ReturnsTheCaptionAndAMapPerWord()
    {
        HttpClient client = server.CreateClient();
        HttpResponseMessage response = await client.PostAsync("/api/caption", Upload(("method", "gradcam")));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using JsonDocument body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        string caption = body.RootElement.GetProperty("caption").GetString()!;
        JsonElement[] words = body.RootElement.GetProperty("words").EnumerateArray().ToArray();
        Assert.False(string.IsNullOrWhiteSpace(caption));
        Assert.Equal(JsonValueKind.Null, words[0].GetProperty("word").ValueKind);
        Assert.All(words.Skip(1), w => Assert.Contains(w.GetProperty("word").GetString()!, caption.Split(' ')));
        string panel = body.RootElement.GetProperty("panel").GetString()!;
        Assert.StartsWith("/api/images/", panel, StringComparison.Ordinal);
        Assert.Equal("image/png", (await client.GetAsync(panel)).Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Vqa_ExplainsTheAnswerAsked_AndRefusesUnknownWords()
    {
        HttpClient client = server.CreateClient();
        HttpResponseMessage answered = await client.PostAsync("/api/vqa",
            Upload(("question", "is there a red circle"), ("answer", "no"), ("method", "gradcam")));
        HttpResponseMessage unknown = await client.PostAsync("/api/vqa", Upload(("question", "is there a unicorn")));
        HttpResponseMessage empty = await client.PostAsync("/api/vqa", Upload(("question", " ")));

        Assert.Equal(HttpStatusCode.OK, answered.StatusCode);
        using JsonDocument body = JsonDocument.Parse(await answered.Content.ReadAsStringAsync());
        Assert.Equal("no", Assert.Single(body.RootElement.GetProperty("explained").EnumerateArray().ToArray())
            .GetProperty("answer").GetString());
        Assert.Equal(5, body.RootElement.GetProperty("answers").GetArrayLength());
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        Assert.Contains("unicorn", await unknown.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.BadRequest, empty.StatusCode);
    }
}
