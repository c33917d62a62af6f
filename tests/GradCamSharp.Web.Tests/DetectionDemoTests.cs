using System.Net;
using System.Text.Json;
using GradCamSharp.Imaging;
using GradCamSharp.Maps;
using GradCamSharp.Scenes;

namespace GradCamSharp.Web.Tests;

/// <summary>
/// The demo serving a single-tensor detector: it answers with the detector's own detections, the photo with their
/// boxes, and each detection explained through its own score, as <c>gradcam detect</c> does.
/// </summary>
public sealed class DetectionDemoTests
{
    [Fact]
    public async Task AServedDetector_AnswersWithItsDetections_EachExplainedInsideItsBox()
    {
        await using DemoServer server = await DemoServer.StartAsync(new ServerOptions { Model = "shapes-detector" });
        using var world = new ShapeWorld();
        using Scene scene = world.Generate(7070, 2);
        byte[] png = PngFile.Encode(scene.Image);
        using HttpClient client = server.CreateClient();

        (JsonDocument body, JsonElement[] detections, JsonElement[] targets) =
            await ExplainAsync(client, png, "scene.png", "hirescam", "gradcam");
        using JsonDocument answer = body;
        string[] objects = [.. scene.Objects.Select(o => o.Name)];
        int peaksInBox = 0;
        for (int k = 0; k < detections.Length; k++)
        {
            // Every detection is one of the scene's objects, found where that object is.
            string label = detections[k].GetProperty("class_label").GetString()!;
            int[] box = [.. detections[k].GetProperty("box").EnumerateArray().Select(v => v.GetInt32())];
            Assert.Contains(scene.Objects, o => o.Name == label && Overlap(o.Box, box) > 0.5);
            Assert.Equal(label, targets[k].GetProperty("class_label").GetString());
            JsonElement[] maps = [.. targets[k].GetProperty("maps").EnumerateArray()];
            Assert.Equal(["hirescam", "gradcam"], maps.Select(m => m.GetProperty("method").GetString()));
            int[] peak = [.. maps[0].GetProperty("peak").EnumerateArray().Select(v => v.GetInt32())];
            if (peak[0] >= box[0] && peak[0] < box[2] && peak[1] >= box[1] && peak[1] < box[3]) peaksInBox++;
        }
        // HiResCAM's peak lies in its detection's box for 93% of detections on 500 held-out scenes.
        Assert.True(peaksInBox >= detections.Length - 1, $"{peaksInBox} of {detections.Length} peaks in their box");
        HttpResponseMessage boxes = await client.GetAsync(body.RootElement.GetProperty("boxes").GetString());
        Assert.Equal("image/png", boxes.Content.Headers.ContentType?.MediaType);

        // The page checks the method detections are explained with (Grad-CAM's mean gradient loses their cells).
        using JsonDocument model = JsonDocument.Parse(await client.GetStringAsync("/api/model"));
        Assert.Equal(["hirescam"], model.RootElement.GetProperty("default_methods").EnumerateArray()
            .Select(m => m.GetString()));

        // A detector explains its own detections: a class asked for is refused, saying so.
        HttpResponseMessage asked = await client.PostAsync("/api/explain", Uploads.Form(png, "scene.png",
            ("class", objects[0])));
        Assert.Equal(HttpStatusCode.BadRequest, asked.StatusCode);
        Assert.Contains("own detections", await asked.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task AServedTorchvisionExport_AnswersWithTheDetectionsItLists_EachExplained()
    {
        string export = Path.Combine(SharedFixtures.RepositoryRoot, "tests", "GradCamSharp.Onnx.Tests", "detection",
            "retinanet_tiny.onnx");
        await using DemoServer server = await DemoServer.StartAsync(new ServerOptions { Model = export });
        byte[] photo = await File.ReadAllBytesAsync(Path.Combine(SharedFixtures.Samples, "dog.jpg"));
        using HttpClient client = server.CreateClient();

        (JsonDocument body, _, JsonElement[] targets) = await ExplainAsync(client, photo, "dog.jpg", "hirescam");
        using JsonDocument answer = body;
        foreach (JsonElement target in targets)
        {
            JsonElement map = Assert.Single(target.GetProperty("maps").EnumerateArray());
            Assert.Equal("hirescam", map.GetProperty("method").GetString());
        }
    }

    /// <summary>Posts a photo with <paramref name="methods"/>; the answer, its detections and their targets, checked:
    /// some detections, one target each.</summary>
    private static async Task<(JsonDocument Body, JsonElement[] Detections, JsonElement[] Targets)> ExplainAsync(
        HttpClient client, byte[] photo, string name, params string[] methods)
    {
        HttpResponseMessage response = await client.PostAsync("/api/explain", Uploads.Form(photo, name,
            [.. methods.Select(method => ("method", method))]));
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        JsonElement[] detections = [.. body.RootElement.GetProperty("detections").EnumerateArray()];
        JsonElement[] targets = [.. body.RootElement.GetProperty("targets").EnumerateArray()];
        Assert.NotEmpty(detections);
        Assert.Equal(detections.Length, targets.Length);
        return (body, detections, targets);
    }

    /// <summary>Intersection over union of a scene box and an [x0, y0, x1, y1] box.</summary>
    private static double Overlap(Box truth, int[] box)
    {
        double width = Math.Min(truth.X1, box[2]) - Math.Max(truth.X0, box[0]);
        double height = Math.Min(truth.Y1, box[3]) - Math.Max(truth.Y0, box[1]);
        double inter = Math.Max(0, width) * Math.Max(0, height);
        double union = (truth.X1 - truth.X0) * (truth.Y1 - truth.Y0) + (box[2] - box[0]) * (box[3] - box[1]) - inter;
        return inter / union;
    }
}
