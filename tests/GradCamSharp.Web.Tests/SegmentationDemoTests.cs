using System.Net;
using System.Text.Json;
using GradCamSharp.Imaging;
using GradCamSharp.Scenes;

namespace GradCamSharp.Web.Tests;

/// <summary>
/// The demo serving a segmenter: its classes are those covering the most pixels, and a class is explained over the
/// pixels the model gives it, where the scene's exact mask puts it.
/// </summary>
public sealed class SegmentationDemoTests
{
    [Fact]
    public async Task AServedSegmenter_RanksClassesByTheirPixels_AndExplainsAClassWhereItIs()
    {
        await using DemoServer server = await DemoServer.StartAsync(new ServerOptions { Model = "shapes-segmenter" });
        using var world = new ShapeWorld();
        using Scene scene = world.Generate(6060, 3);
        byte[] png = PngFile.Encode(scene.Image);
        using HttpClient client = server.CreateClient();

        HttpResponseMessage response = await client.PostAsync("/api/explain", Uploads.Form(png, "scene.png",
            ("method", "layercam")));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using JsonDocument body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        JsonElement[] ranked = [.. body.RootElement.GetProperty("top_classes").EnumerateArray()];
        double[] shares = [.. ranked.Select(c => c.GetProperty("probability").GetDouble())];
        // Shares of the pixels, widest first: the background, then the scene's objects.
        Assert.Equal(shares.OrderDescending(), shares);
        Assert.InRange(shares.Sum(), 0.9, 1.0 + 1e-6);
        Assert.Equal("background", ranked[0].GetProperty("class_label").GetString());
        string[] objects = [.. scene.Objects.Select(o => o.Name)];
        Assert.All(ranked.Skip(1).Take(objects.Length), c => Assert.Contains(c.GetProperty("class_label").GetString(),
            objects));

        // The default target is the widest class; asked for an object's pair, its map peaks on that object.
        SceneObject shape = scene.Objects.OrderByDescending(o => o.Area).First();
        HttpResponseMessage asked = await client.PostAsync("/api/explain", Uploads.Form(png, "scene.png",
            ("method", "layercam"), ("class", shape.Name)));
        Assert.Equal(HttpStatusCode.OK, asked.StatusCode);
        using JsonDocument explained = JsonDocument.Parse(await asked.Content.ReadAsStringAsync());
        JsonElement map = explained.RootElement.GetProperty("targets")[0].GetProperty("maps")[0];
        int[] peak = [.. map.GetProperty("peak").EnumerateArray().Select(v => v.GetInt32())];
        Assert.True(shape.Mask[peak[1] * scene.Width + peak[0]], $"peak {peak[0]},{peak[1]} off the {shape.Name}");
    }
}
