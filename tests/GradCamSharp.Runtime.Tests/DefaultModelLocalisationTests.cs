using System.Text.Json;
using GradCamSharp.Evaluation;

namespace GradCamSharp.Runtime.Tests;

/// <summary>
/// The "done when": the default model's Grad-CAM peak for each named object lies inside that object's box
/// (shared/images/boxes.json) on the shipped photos.
/// </summary>
[Collection(TorchCollection.Name)]
public sealed class DefaultModelLocalisationTests : IClassFixture<DefaultModelFixture>
{
    private readonly DefaultModelFixture _fixture;

    public DefaultModelLocalisationTests(DefaultModelFixture fixture) => _fixture = fixture;

    public static TheoryData<string, string, string> Objects => new()
    {
        { "dog.jpg", "dog", "dog" },
        { "dog.jpg", "bicycle", "bicycle" },
        { "person.jpg", "person", "person" },
        { "person.jpg", "horse", "horse" },
        { "person.jpg", "dog", "dog" },
        { "giraffe.jpg", "giraffe", "giraffe" },
        { "giraffe.jpg", "zebra", "zebra" },
        { "eagle.jpg", "bird", "eagle" },
    };

    [SkippableTheory]
    [MemberData(nameof(Objects))]
    public void GradCamPeak_LiesInsideTheObjectsBox(string photo, string label, string boxName)
    {
        using JsonDocument boxes = JsonDocument.Parse(File.ReadAllText(SharedFixtures.Require("images/boxes.json")));
        int[] corners = boxes.RootElement.GetProperty(photo).GetProperty(boxName).EnumerateArray().Select(v => v.GetInt32()).ToArray();
        var box = new Box(corners[0], corners[1], corners[2], corners[3]);
        using var output = new TempFolder();

        ManifestEntry entry = new ExplainPipeline(_fixture.Model).Run(new ExplainRequest
        {
            Images = [Path.Combine(SharedFixtures.RepositoryRoot, "samples", photo)],
            OutputDirectory = output.Path,
            Classes = [label],
        }).Single();

        Assert.Equal(label, entry.ClassLabel);
        Assert.Equal(DefaultModel.Layer, entry.Layer);
        Assert.True(box.Contains(entry.Peak[0], entry.Peak[1]), $"{label} peak ({entry.Peak[0]}, {entry.Peak[1]}) outside {box}");
    }

    [Fact]
    public void TopTwoClasses_OfTheDogPhoto_AreBicycleAndDog()
    {
        using var output = new TempFolder();
        IReadOnlyList<ManifestEntry> entries = new ExplainPipeline(_fixture.Model).Run(new ExplainRequest
        {
            Images = [Path.Combine(SharedFixtures.RepositoryRoot, "samples", "dog.jpg")],
            OutputDirectory = output.Path,
            Top = 2,
        });
        Assert.Equal(["bicycle", "dog"], entries.Select(e => e.ClassLabel).Order());
    }
}

public sealed class DefaultModelFixture : IDisposable
{
    public LoadedModel Model { get; } = DefaultModel.Load();

    public void Dispose() => Model.Dispose();
}

internal sealed class TempFolder : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("gradcam-runtime-").FullName;

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
