using GradCamSharp.Evaluation;
using GradCamSharp.Imaging;
using GradCamSharp.Maps;
using GradCamSharp.Methods;
using GradCamSharp.Scenes;
using GradCamSharp.Targets;
using SkiaSharp;
using TorchSharp;
using static TorchSharp.torch;
using GradCamSharp.Catalog;

namespace GradCamSharp.Pipeline.Tests;

/// <summary>
/// The default model tells classes apart (the paper's central claim): on every multi-object shipped photo, each
/// annotated object's Grad-CAM points at that object and not at the others.
/// </summary>
public sealed class ClassDiscriminationTests : IClassFixture<DefaultModelFixture>
{
    private readonly DefaultModelFixture _fixture;

    public ClassDiscriminationTests(DefaultModelFixture fixture) => _fixture = fixture;

    private static IReadOnlyList<AnnotatedPhoto> Photos =>
        PhotoAnnotations.Read(Path.Combine(SharedFixtures.Samples, "boxes.json"), SharedFixtures.Samples);

    public static TheoryData<string, string> MultiObject => new()
    {
        { "dog.jpg", "dog" }, { "dog.jpg", "bicycle" }, { "dog.jpg", "truck" },
        { "person.jpg", "person" }, { "person.jpg", "horse" }, { "person.jpg", "dog" },
        { "giraffe.jpg", "giraffe" }, { "giraffe.jpg", "zebra" },
    };

    private Heatmap Map(string photo, string label, bool counterfactual = false)
    {
        using DisposeScope scope = NewDisposeScope();
        using SKBitmap bitmap = ImageLoader.Load(SharedFixtures.Sample(photo));
        PreparedImage prepared = ImagePreprocessor.Prepare(bitmap, _fixture.Model.Preprocessing);
        int classIndex = Labels.Resolve(label, _fixture.Model.Labels, null);
        var gradCam = new GradCam(_fixture.Model.Model, new CamOptions { Counterfactual = counterfactual });
        return prepared.ToOriginal(gradCam.Explain(prepared.ToTensor(), new ClassTarget(classIndex)).Single().Heatmap);
    }

    [Theory]
    [MemberData(nameof(MultiObject))]
    public void GradCam_PointsAtItsOwnObject_AndHoldsMoreOfItsMassThereThanOnAnyOther(string photo, string label)
    {
        AnnotatedPhoto annotated = Photos.Single(p => p.Name == photo);
        AnnotatedObject own = annotated.Objects.Single(o => o.Label == label);
        AnnotatedObject[] others = annotated.Objects.Where(o => o != own).ToArray();
        Heatmap map = Map(photo, label);
        int ownRank = annotated.Objects.ToList().IndexOf(own);

        bool[] nearer = others.Select(o => ownRank < annotated.Objects.ToList().IndexOf(o)).ToArray();
        Assert.True(ClassDiscrimination.PeakIsOwn(map, own.Box, others.Select(o => o.Box).ToArray(), nearer),
            $"{label}: peak {map.Peak} outside {own.Box} or on a nearer object");
        foreach (AnnotatedObject other in others)
        {
            (double mine, double theirs) = ClassDiscrimination.Shares(map, own.Box, Nearer(annotated, own),
                other.Box, Nearer(annotated, other));
            Assert.True(mine > theirs,
                $"{label} vs {other.Label}: {mine:0.000} of the mass on {label}, {theirs:0.000} on {other.Label}");
        }
    }

    private static Box[] Nearer(AnnotatedPhoto photo, AnnotatedObject item) =>
        photo.InFrontOf(item).Select(o => o.Box).ToArray();

    [Fact]
    public void Counterfactual_ForTheDog_LiesMoreOnTheBicycleThanOnTheDog()
    {
        AnnotatedPhoto annotated = Photos.Single(p => p.Name == "dog.jpg");
        Box dog = annotated.Objects.Single(o => o.Label == "dog").Box;
        Box bicycle = annotated.Objects.Single(o => o.Label == "bicycle").Box;
        Heatmap counterfactual = Map("dog.jpg", "dog", counterfactual: true);
        (double onDog, double onBicycle) = ClassDiscrimination.Shares(counterfactual, dog, [], bicycle, [dog]);
        Assert.True(onBicycle > onDog,
            $"counterfactual mass: {onDog:0.000} on the dog, {onBicycle:0.000} on the bicycle");
    }

    [Theory]
    [InlineData("eagle.jpg", "bird")]
    [InlineData("chelsea.png", "cat")]
    [InlineData("coffee.png", "cup")]
    [InlineData("rocket.jpg", "rocket")]
    [InlineData("fruits.jpg", "fruit")]
    public void SingleObjectPhotos_AreClassifiedRight(string photo, string expected)
    {
        using var output = new TempFolder();
        ManifestEntry entry = new ExplainPipeline(_fixture.Model).Run(new ExplainJob
        {
            Images = [SharedFixtures.Sample(photo)],
            OutputDirectory = output.Path,
        }).Single();
        Assert.Equal(expected, entry.ClassLabel);
        Assert.Equal("logit", entry.ScoreKind);
    }
}
