using System.Net;
using System.Text.Json;

namespace GradCamSharp.Web.Tests;

/// <summary>
/// Requests with the same settings that queue behind one another are explained in one pass, and each gets exactly
/// what it would have got alone; a request whose batch leader goes away is still explained.
/// </summary>
public sealed class BatchingTests
{
    private static readonly string[] Photos = ["dog.jpg", "giraffe.jpg", "person.jpg"];

    private static Task<HttpResponseMessage> Explain(HttpClient client, string photo, string colormap = "jet",
        CancellationToken cancellation = default) =>
        client.PostAsync("/api/explain", Uploads.Form(File.ReadAllBytes(Path.Combine(SharedFixtures.Samples, photo)),
            photo, ("method", "gradcam"), ("method", "guided-gradcam"), ("colormap", colormap)), cancellation);

    /// <summary>What a response says about the model's work: classes, scores, peaks and boxes.</summary>
    private static async Task<string> ModelWork(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using JsonDocument body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        JsonElement root = body.RootElement;
        var parts = root.GetProperty("top_classes").EnumerateArray()
            .Select(c => $"{c.GetProperty("class_index").GetInt32()}:{c.GetProperty("score").GetDouble():F3}")
            .ToList();
        foreach (JsonElement target in root.GetProperty("targets").EnumerateArray())
        {
            parts.Add($"{target.GetProperty("class_index").GetInt32()}:{target.GetProperty("score").GetDouble():F3}");
            parts.AddRange(target.GetProperty("maps").EnumerateArray().Select(m =>
                $"{m.GetProperty("method").GetString()} {m.GetProperty("peak")} {m.GetProperty("box")}"));
        }
        return string.Join("; ", parts);
    }

    private static async Task WaitUntil(Func<bool> condition, string what)
    {
        for (int i = 0; i < 600 && !condition(); i++) await Task.Delay(100);
        Assert.True(condition(), $"timed out waiting until {what}");
    }

    /// <summary>Holds the model's turn until released, so that requests queue behind it.</summary>
    private static async Task<(Task Held, TaskCompletionSource Release)> HoldTheModel(DemoServer server)
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        // The turn's work runs on the caller's thread, so the holder gets a thread of its own.
        Task held = Task.Run(() => server.Service.Turns.RunAsync(token =>
        {
            release.Task.Wait(token);
            return true;
        }, CancellationToken.None));
        await WaitUntil(() => server.Service.Turns.Busy, "the model is held");
        return (held, release);
    }

    [Fact]
    public async Task QueuedRequests_WithTheSameSettings_ShareOnePass_AndGetWhatTheyWouldAlone()
    {
        await using DemoServer server = await DemoServer.StartAsync(new ServerOptions());
        HttpClient client = server.CreateClient();
        var alone = new List<string>();
        foreach (string photo in Photos) alone.Add(await ModelWork(await Explain(client, photo)));
        Assert.Equal(0, server.Service.Batches.Batched);

        (Task held, TaskCompletionSource release) = await HoldTheModel(server);
        // The colormap changes only the drawing, so requests that differ in it still share the pass.
        Task<HttpResponseMessage>[] queued = [.. Photos.Select((photo, i) =>
            Explain(client, photo, i == 1 ? "viridis" : "jet"))];
        await WaitUntil(() => server.Service.Turns.Pending == 1 + Photos.Length, "the requests wait");
        release.SetResult();
        await held;
        string[] together = await Task.WhenAll(queued.Select(async r => await ModelWork(await r)));

        Assert.Equal(1, server.Service.Batches.Batched);
        Assert.Equal(alone, together);
        Assert.Equal(0, server.Service.Turns.Pending);
    }

    [Fact]
    public async Task RequestsWithOtherSettings_AreNotBatched()
    {
        await using DemoServer server = await DemoServer.StartAsync(new ServerOptions());
        HttpClient client = server.CreateClient();
        (Task held, TaskCompletionSource release) = await HoldTheModel(server);
        byte[] dog = await File.ReadAllBytesAsync(Path.Combine(SharedFixtures.Samples, "dog.jpg"));
        Task<HttpResponseMessage> first = client.PostAsync("/api/explain", Uploads.Form(dog, "dog.jpg",
            ("method", "gradcam")));
        Task<HttpResponseMessage> second = client.PostAsync("/api/explain", Uploads.Form(dog, "dog.jpg",
            ("method", "gradcam"), ("class", "cat")));
        await WaitUntil(() => server.Service.Turns.Pending == 3, "the requests wait");
        release.SetResult();
        await held;

        Assert.Equal(HttpStatusCode.OK, (await first).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await second).StatusCode);
        Assert.Equal(0, server.Service.Batches.Batched);
    }

    [Fact]
    public async Task WhenTheBatchLeaderGoesAway_TheOthersAreStillExplained()
    {
        await using DemoServer server = await DemoServer.StartAsync(new ServerOptions());
        HttpClient client = server.CreateClient();
        string alone = await ModelWork(await Explain(client, "giraffe.jpg"));
        (Task held, TaskCompletionSource release) = await HoldTheModel(server);
        using var leaderGone = new CancellationTokenSource();
        Task<HttpResponseMessage> leader = Explain(client, "dog.jpg", cancellation: leaderGone.Token);
        await WaitUntil(() => server.Service.Turns.Pending == 2, "the leader waits");
        Task<HttpResponseMessage> follower = Explain(client, "giraffe.jpg");
        await WaitUntil(() => server.Service.Turns.Pending == 3, "the follower waits");
        await leaderGone.CancelAsync();
        release.SetResult();
        await held;

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => leader);
        Assert.Equal(alone, await ModelWork(await follower));
    }
}
