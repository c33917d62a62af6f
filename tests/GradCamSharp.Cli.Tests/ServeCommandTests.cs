using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using GradCamSharp.Web.Study;
using Xunit.Abstractions;

namespace GradCamSharp.Cli.Tests;

/// <summary><c>gradcam serve</c> and <c>gradcam study-results</c> as separate processes, as users run them.</summary>
public sealed class ServeCommandTests(ITestOutputHelper log) : IDisposable
{
    private readonly TempFolder _folder = new();
    private static readonly byte[] Dog = File.ReadAllBytes(Path.Combine(CliRun.Samples, "dog.jpg"));

    public void Dispose() => _folder.Dispose();

    private static MultipartFormDataContent DogUpload()
    {
        var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(Dog);
        file.Headers.ContentType = new MediaTypeHeaderValue("image/jpeg");
        form.Add(file, "image", "dog.jpg");
        form.Add(new StringContent("gradcam"), "method");
        form.Add(new StringContent("dog"), "class");
        return form;
    }

    [Fact]
    public async Task KilledMidStudy_LosesNoAnswer_AndStudyResultsReadsThem()
    {
        string database = Path.Combine(_folder.Path, "pilot.db");
        const string participant = "killed-participant";
        using (ServeProcess server = ServeProcess.Start("--study", "pilot", "--study-db", database,
            "--study-kinds", StudyKinds.Discrimination))
        {
            using HttpClient client = server.Client();
            for (int i = 0; i < 2; i++)
            {
                HttpResponseMessage given = await client.PostAsJsonAsync("/api/study/trials", new { participant });
                using JsonDocument trial = JsonDocument.Parse(await given.Content.ReadAsStringAsync());
                long id = trial.RootElement.GetProperty("trial").GetInt64();
                string choice = trial.RootElement.GetProperty("options")[0].GetString()!;
                HttpResponseMessage answered = await client.PostAsJsonAsync("/api/study/answers",
                    new { participant, trial = id, choice });
                Assert.Equal(HttpStatusCode.OK, answered.StatusCode);
            }
            // Between answers, with a third trial given and never answered: the way a crash finds a study.
            await client.PostAsJsonAsync("/api/study/trials", new { participant });
            server.Kill();
        }

        IReadOnlyList<AnsweredTrial> answers = StudyDatabase.Open(database, create: false).Answers();
        CliRun table = CliRun.Of("study-results", "--db", database);
        CliRun csv = CliRun.Of("study-results", "--db", database, "--csv");

        Assert.Equal(2, answers.Count);
        Assert.All(answers, a => Assert.Equal(participant, a.Participant));
        Assert.Equal(0, table.ExitCode);
        Assert.Contains("1 participant", table.Output);
        Assert.Contains(StudyResults.PaperDiscrimination, table.Output);
        string[] rows = csv.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("kind,method,", rows[0]);
        Assert.Equal(2, rows.Skip(1).Sum(r => int.Parse(r.Split(',')[4], System.Globalization.CultureInfo
            .InvariantCulture)));
        Assert.Equal(ExitCodes.Input, CliRun.Of("study-results", "--db", Path.Combine(_folder.Path, "none.db"))
            .ExitCode);
    }

    [Fact]
    public async Task LoadOf200Requests_8Concurrent_NoUnintended5xx_MemoryReturns()
    {
        using ServeProcess server = ServeProcess.Start();
        using HttpClient client = server.Client();
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync("/api/explain", DogUpload())).StatusCode);
        long afterFirst = server.ResidentBytes;

        var latencies = new System.Collections.Concurrent.ConcurrentBag<double>();
        var statuses = new System.Collections.Concurrent.ConcurrentBag<HttpStatusCode>();
        var clock = Stopwatch.StartNew();
        await Parallel.ForEachAsync(Enumerable.Range(0, 200), new ParallelOptions { MaxDegreeOfParallelism = 8 },
            async (_, cancellation) =>
            {
                var watch = Stopwatch.StartNew();
                HttpResponseMessage response = await client.PostAsync("/api/explain", DogUpload(), cancellation);
                await response.Content.ReadAsByteArrayAsync(cancellation);
                statuses.Add(response.StatusCode);
                if (response.IsSuccessStatusCode) latencies.Add(watch.Elapsed.TotalMilliseconds);
            });
        double seconds = clock.Elapsed.TotalSeconds;
        await Task.Delay(TimeSpan.FromSeconds(2));
        long afterBurst = server.ResidentBytes;

        double[] sorted = latencies.Order().ToArray();
        log.WriteLine($"200 requests, 8 concurrent: {statuses.Count(s => s == HttpStatusCode.OK)} OK, " +
            $"{statuses.Count(s => s == HttpStatusCode.ServiceUnavailable)} 503; median " +
            $"{sorted[sorted.Length / 2]:0} ms, p95 {sorted[(int)(sorted.Length * 0.95)]:0} ms, " +
            $"{200 / seconds:0.0} requests/s; memory {afterFirst / 1048576.0:0} MB after the first request, " +
            $"{afterBurst / 1048576.0:0} MB after the burst");
        Assert.All(statuses, s => Assert.True(s is HttpStatusCode.OK or HttpStatusCode.ServiceUnavailable,
            $"unexpected {(int)s}"));
        Assert.NotEmpty(sorted);
        Assert.True(afterBurst <= 1.5 * afterFirst,
            $"memory after the burst {afterBurst / 1048576.0:0} MB > 1.5x {afterFirst / 1048576.0:0} MB");
    }

    [Fact]
    public void BadOptions_AndABusyPort_ExitWithOneLineBeforeServing()
    {
        using var taken = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        int port = ((IPEndPoint)taken.LocalEndpoint).Port;

        CliRun busy = CliRun.Of("serve", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        CliRun badPort = CliRun.Of("serve", "--port", "70000");
        CliRun badQueue = CliRun.Of("serve", "--queue", "-1");
        CliRun badKind = CliRun.Of("serve", "--study", "x", "--study-db", Path.Combine(_folder.Path, "x.db"),
            "--study-kinds", "guessing");

        Assert.Equal(ExitCodes.Usage, busy.ExitCode);
        Assert.Contains("cannot listen", busy.Error);
        Assert.Equal(ExitCodes.Usage, badPort.ExitCode);
        Assert.Equal(ExitCodes.Usage, badQueue.ExitCode);
        Assert.Equal(ExitCodes.Usage, badKind.ExitCode);
        Assert.Contains("guessing", badKind.Error);
    }
}
