using System.Text.Json;
using System.Text.Json.Serialization;

namespace GradCamSharp.Pipeline.Tests;

/// <summary>A task's manifest fields travel by extension: written after the shared ones, read back typed.</summary>
public sealed class ManifestEntryTests
{
    private sealed record Fields
    {
        [JsonPropertyName("first")] public string? First { get; init; }
        [JsonPropertyName("second")] public int[]? Second { get; init; }
        [JsonPropertyName("third")] public int? Third { get; init; }
    }

    private sealed record Other
    {
        [JsonPropertyName("other")] public string? Value { get; init; }
    }

    private static readonly ManifestEntry Entry = new()
    {
        Image = "a.jpg", Model = "m", Layer = "l", Method = "gradcam", Score = 1.5f, File = "a.png", Peak = [1, 2],
    };

    [Fact]
    public void TaskFields_FollowTheSharedOnes_InTheirTypesOrder_WithoutNulls_AndReadBackAsWritten()
    {
        ManifestEntry entry = Entry.With(new Other { Value = "x" })
            .With(new Fields { Third = 3, First = "é<b>" })
            .With<Fields>(f => f with { Second = [4, 5], Third = f.Third + 1 });

        string json = JsonSerializer.Serialize(entry, ExplainPipeline.ManifestJson);
        string[] names = [.. JsonDocument.Parse(json).RootElement.EnumerateObject().Select(p => p.Name)];

        Assert.Equal(["other", "first", "second", "third"], names[^4..]);
        Assert.Equal("box", names[Array.IndexOf(names, "other") - 1]);
        Assert.Contains("\"first\": \"é<b>\"", json);
        Assert.Equal(new Fields { First = "é<b>", Second = [4, 5], Third = 4 } with { Second = null },
            entry.Fields<Fields>() with { Second = null });
        Assert.Equal([4, 5], entry.Fields<Fields>().Second!);
        Assert.Equal("x", entry.Fields<Other>().Value);
        // A field set to null is removed; an entry without task fields reads as all nulls.
        Assert.DoesNotContain("third", JsonSerializer.Serialize(entry.With<Fields>(f => f with { Third = null })));
        Assert.Equal(new Fields(), Entry.Fields<Fields>());
        Assert.DoesNotContain("first", JsonSerializer.Serialize(Entry));
        // A manifest read back keeps them.
        ManifestEntry read = JsonSerializer.Deserialize<ManifestEntry>(json)!;
        Assert.Equal(4, read.Fields<Fields>().Third);
        Assert.Equal(json, JsonSerializer.Serialize(read, ExplainPipeline.ManifestJson));
    }
}
