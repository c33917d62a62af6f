using GradCamSharp.Maps;
namespace GradCamSharp.Pipeline.Tests;

/// <summary>
/// The "done when": the default model's Grad-CAM peak for each named object lies inside that object's box
/// (samples/boxes.json) on the shipped photos.
/// </summary>
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
        { "eagle.jpg", "bird", "bird" },
    };

    [Theory]
    [MemberData(nameof(Objects))]
    public void GradCamPeak_LiesInsideTheObjectsBox(string photo, string label, string boxName)
    {
        int[] corners = SharedFixtures.SampleBox(photo, boxName);
        var box = new Box(corners[0], corners[1], corners[2], corners[3]);
        using var output = new TempFolder();

        ManifestEntry entry = new ExplainPipeline(_fixture.Model).Run(new ExplainJob
        {
            Images = [SharedFixtures.Sample(photo)],
            OutputDirectory = output.Path,
            Settings = new ExplanationSettings { Classes = [label] },
        }).Single();

        Assert.Equal(label, entry.ClassLabel);
        Assert.Equal("ReLU393_Output_0", entry.Layer);
        Assert.True(box.Contains(entry.Peak[0], entry.Peak[1]),
            $"{label} peak ({entry.Peak[0]}, {entry.Peak[1]}) outside {box}");
    }

    [Fact]
    public void TopTwoClasses_OfTheDogPhoto_AreBicycleAndDog()
    {
        using var output = new TempFolder();
        IReadOnlyList<ManifestEntry> entries = new ExplainPipeline(_fixture.Model).Run(new ExplainJob
        {
            Images = [SharedFixtures.Sample("dog.jpg")],
            OutputDirectory = output.Path,
            Settings = new ExplanationSettings { Top = 2 },
        });
        Assert.Equal(["bicycle", "dog"], entries.Select(e => e.ClassLabel).Order());
    }
}
