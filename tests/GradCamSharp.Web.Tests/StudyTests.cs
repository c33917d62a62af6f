using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using GradCamSharp.Web.Study;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace GradCamSharp.Web.Tests;

/// <summary>The human-study mode: trials, answers committed on arrival, balance across methods, the results.</summary>
public sealed class StudyTests : IAsyncLifetime, IDisposable
{
    private readonly TempFolder _folder = new();
    private DemoServer _server = null!;

    private string DatabasePath => Path.Combine(_folder.Path, "study.db");

    public async Task InitializeAsync() => _server = await DemoServer.StartAsync(new ServerOptions
    {
        Study = new StudyOptions { Name = "unit", DatabasePath = DatabasePath, Seed = 11 },
    });

    public async Task DisposeAsync() => await _server.DisposeAsync();

    public void Dispose() => _folder.Dispose();

    private static async Task<JsonElement> Trial(HttpClient client, string participant)
    {
        HttpResponseMessage response = await client.PostAsJsonAsync("/api/study/trials", new { participant });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }

    private static Task<HttpResponseMessage> Answer(HttpClient client, object answer) =>
        client.PostAsJsonAsync("/api/study/answers", answer);

    [Fact]
    public async Task Trials_AlternateKinds_HideTheTruth_AndAnswersAreScored()
    {
        HttpClient client = _server.CreateClient();
        const string participant = "0123abcd-participant";

        JsonElement discrimination = await Trial(client, participant);
        JsonElement trust = await Trial(client, participant);

        Assert.Equal(StudyKinds.Discrimination, discrimination.GetProperty("kind").GetString());
        Assert.Equal(StudyKinds.Trust, trust.GetProperty("kind").GetString());
        string[] offered = discrimination.GetProperty("options").EnumerateArray().Select(o => o.GetString()!)
            .ToArray();
        Assert.Equal(2, offered.Distinct().Count());
        Assert.Single(discrimination.GetProperty("images").EnumerateArray());
        Assert.Equal(2, trust.GetProperty("images").GetArrayLength());
        Assert.DoesNotContain("truth", discrimination.GetRawText());
        TrialRecord stored = _server.App.Services.GetRequiredService<StudyService>().Database.Find("unit", participant,
            discrimination.GetProperty("trial").GetInt64())!;
        Assert.Contains(stored.Truth, offered);

        HttpResponseMessage right = await Answer(client, new
        {
            participant, trial = discrimination.GetProperty("trial").GetInt64(), choice = stored.Truth,
        });
        HttpResponseMessage again = await Answer(client, new
        {
            participant, trial = discrimination.GetProperty("trial").GetInt64(), choice = stored.Truth,
        });
        HttpResponseMessage rated = await Answer(client, new
        {
            participant, trial = trust.GetProperty("trial").GetInt64(), prefer = -2,
        });

        Assert.Equal(HttpStatusCode.OK, right.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Equal(HttpStatusCode.OK, rated.StatusCode);
        TrialRecord trustTrial =
            _server.App.Services.GetRequiredService<StudyService>().Database.Find("unit", participant,
            trust.GetProperty("trial").GetInt64())!;
        StudyResults results = (await client.GetFromJsonAsync<StudyResults>("/api/study/results"))!;
        DiscriminationResult scored = Assert.Single(results.Discrimination);
        Assert.Equal((1, 1), (scored.Answers, scored.Correct));
        TrustResult trustScore = Assert.Single(results.Trust);
        // "Left clearly more reasonable" favours model A exactly when A was shown on the left.
        Assert.Equal(trustTrial.AOnLeft ? 2 : -2, trustScore.MeanRating);
    }

    [Fact]
    public async Task BadAnswers_Are400()
    {
        HttpClient client = _server.CreateClient();
        const string participant = "participant-two";
        JsonElement trial = await Trial(client, participant);
        long id = trial.GetProperty("trial").GetInt64();

        Assert.Equal(HttpStatusCode.BadRequest, (await Answer(client, new
            { participant, trial = id, choice = "unicorn" })).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await Answer(client, new
            { participant = "someone-else", trial = id, choice = StudyDatabase.CannotTell })).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await client.PostAsJsonAsync("/api/study/trials",
            new { participant = "me" })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Answer(client, new
            { participant, trial = id, choice = StudyDatabase.CannotTell })).StatusCode);
        StudyResults results = (await client.GetFromJsonAsync<StudyResults>("/api/study/results"))!;
        Assert.Equal((1, 0, 1), (results.Discrimination[0].Answers, results.Discrimination[0].Correct,
            results.Discrimination[0].CannotTell));
    }

    [Fact]
    public async Task Methods_AreBalancedWithinEachParticipant()
    {
        await using DemoServer server = await DemoServer.StartAsync(new ServerOptions
        {
            Study = new StudyOptions
            {
                Name = "balance", DatabasePath = Path.Combine(_folder.Path, "balance.db"),
                Kinds = [StudyKinds.Discrimination], Methods = ["gradcam", "gradcam++", "hirescam"],
            },
        });
        HttpClient client = server.CreateClient();
        var given = new List<string>();
        for (int i = 0; i < 6; i++)
        {
            long id = (await Trial(client, "balanced-participant")).GetProperty("trial").GetInt64();
            given.Add(server.App.Services.GetRequiredService<StudyService>().Database.Find("balance",
                "balanced-participant", id)!.Method);
        }

        Assert.All(given.GroupBy(m => m), g => Assert.Equal(2, g.Count()));
        Assert.Equal(3, given.Distinct().Count());
    }

    [Fact]
    public void Database_HasAVersionedSchema_AndRefusesOthers()
    {
        string other = Path.Combine(_folder.Path, "other.db");
        using (var connection = new SqliteConnection($"Data Source={other};Pooling=False"))
        {
            connection.Open();
            using SqliteCommand command = connection.CreateCommand();
            command.CommandText = "CREATE TABLE notes (text TEXT)";
            command.ExecuteNonQuery();
        }
        string newer = Path.Combine(_folder.Path, "newer.db");
        StudyDatabase.Open(newer);
        using (var connection = new SqliteConnection($"Data Source={newer};Pooling=False"))
        {
            connection.Open();
            using SqliteCommand command = connection.CreateCommand();
            command.CommandText = "PRAGMA user_version = 2";
            command.ExecuteNonQuery();
        }

        Assert.Contains("not a study", Assert.Throws<UnreadableInputException>(() => StudyDatabase.Open(other))
            .Message);
        Assert.Contains("schema version 2", Assert.Throws<UnreadableInputException>(() => StudyDatabase.Open(newer))
            .Message);
        Assert.Contains("not found", Assert.Throws<UnreadableInputException>(() =>
            StudyDatabase.Open(Path.Combine(_folder.Path, "missing.db"), create: false)).Message);
    }

    [Fact]
    public void Intervals_MatchHandComputedValues()
    {
        // Wilson's 95% interval for 8 of 10 (Newcombe 1998, table I style): 0.4902 .. 0.9433.
        (double low, double high) = StudyResults.Wilson(8, 10);
        (double mean, double meanLow, double meanHigh) = StudyResults.MeanInterval([1, 2, 3, 4, 5]);

        Assert.Equal(0.4902, low, 4);
        Assert.Equal(0.9433, high, 4);
        Assert.Equal((0.0, 1.0), StudyResults.Wilson(0, 0));
        Assert.Equal(0.0, StudyResults.Wilson(0, 5).Low);
        Assert.Equal(1.0, StudyResults.Wilson(5, 5).High);
        // Mean 3, sample sd sqrt(2.5), half width 1.96 sd / sqrt(5) = 1.3859.
        Assert.Equal(3, mean);
        Assert.Equal(3 - 1.3859, meanLow, 4);
        Assert.Equal(3 + 1.3859, meanHigh, 4);
    }

    [Theory]
    [InlineData("folder")]
    [InlineData(StudyOptions.Photos)]
    public async Task TrialsComeFromAFolder_OrTheShippedPhotos(string source)
    {
        string folder = Path.Combine(_folder.Path, "images");
        Directory.CreateDirectory(folder);
        File.Copy(SharedFixtures.Sample("dog.jpg"), Path.Combine(folder, "a.jpg"));
        File.WriteAllText(Path.Combine(folder, "notes.txt"), "not an image");
        await using DemoServer server = await DemoServer.StartAsync(new ServerOptions
        {
            Study = new StudyOptions
            {
                Name = source, DatabasePath = Path.Combine(_folder.Path, $"{source}.db"),
                Source = source == "folder" ? folder : source, Kinds = [StudyKinds.Discrimination],
            },
        });

        JsonElement trial = await Trial(server.CreateClient(), "folder-participant");

        TrialRecord stored = server.App.Services.GetRequiredService<StudyService>().Database.Find(source,
            "folder-participant", trial.GetProperty("trial").GetInt64())!;
        Assert.Equal(2, trial.GetProperty("options").GetArrayLength());
        Assert.Contains(stored.Truth, stored.Options);
        if (source == "folder") Assert.Equal("a.jpg", stored.Image);
        else Assert.Contains(stored.Image, new[] { "dog.jpg", "fruits.jpg", "person.jpg", "giraffe.jpg" });
    }

    [Fact]
    public void BadStudyOptions_StopTheServerBeforeItListens()
    {
        Assert.Throws<UsageException>(() => GradCamServer.Build(new ServerOptions
        {
            Study = new StudyOptions { Name = "x", DatabasePath = DatabasePath, Source = "/no/such/folder" },
        }));
        Assert.Throws<UsageException>(() => GradCamServer.Build(new ServerOptions
        {
            Study = new StudyOptions { Name = "x", DatabasePath = DatabasePath, Kinds = ["guessing"] },
        }));
        Assert.Throws<UsageException>(() => GradCamServer.Build(new ServerOptions
        {
            Study = new StudyOptions { Name = "x", DatabasePath = DatabasePath, Models = ["default"] },
        }));
    }
}
