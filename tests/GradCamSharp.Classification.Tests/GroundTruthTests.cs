using GradCamSharp.Maps;
using GradCamSharp.Scenes;

namespace GradCamSharp.Classification.Tests;

/// <summary>PASCAL VOC and COCO annotations, the label mapping, and the report of labels the model lacks.</summary>
public sealed class GroundTruthTests(DefaultModelFixture fixture) : IClassFixture<DefaultModelFixture>
{
    private static string Data(string name) =>
        Path.Combine(SharedFixtures.RepositoryRoot, "tests", "GradCamSharp.Classification.Tests", "data", name);

    [Fact]
    public void Voc_IsRead_WithItsOneBasedInclusiveCorners()
    {
        AnnotatedPhoto photo = Assert.Single(GroundTruth.Read(Data("voc"), SharedFixtures.Samples));

        Assert.Equal(SharedFixtures.Sample("dog.jpg"), photo.Path);
        Assert.Equal(["dog", "bike", "sofa"], photo.Objects.Select(o => o.Label));
        Assert.Equal(new Box(124, 223, 322, 541), photo.Objects[0].Box);
        Assert.Equal(new Box(0, 0, 40, 40), photo.Objects[2].Box);
    }

    [Fact]
    public void Coco_IsRead_SkippingCrowds_AndConvertingBoxes()
    {
        IReadOnlyList<AnnotatedPhoto> photos = GroundTruth.Read(Data("coco/instances.json"), SharedFixtures.Samples);

        Assert.Equal(["dog.jpg", "giraffe.jpg"], photos.Select(p => p.Name));
        Assert.Equal(["dog", "bicycle"], photos[0].Objects.Select(o => o.Label));
        // x 124.4 + 197.7 = 322.1: the box covers pixel 322.
        Assert.Equal(new Box(124, 223, 323, 541), photos[0].Objects[0].Box);
        Assert.Equal(new Box(10, 20, 110, 220), photos[1].Objects[0].Box);
        Assert.Equal("couch", photos[1].Objects[1].Label);
    }

    [Fact]
    public void LabelMapping_AndLabelsTheModelLacks_AreReported()
    {
        IReadOnlyDictionary<string, string> map = GroundTruth.ReadLabelMap(Data("voc-labels.txt"));
        IReadOnlyList<EvaluationCase> voc = GroundTruth.Read(Data("voc"), SharedFixtures.Samples)
            .SelectMany(EvaluationRunner.Cases).ToList();
        IReadOnlyList<EvaluationCase> coco = GroundTruth.Read(Data("coco/instances.json"), SharedFixtures.Samples)
            .SelectMany(EvaluationRunner.Cases).ToList();

        (int?[] vocClasses, IReadOnlyDictionary<string, int> vocMissing) =
            EvaluationRunner.Match(fixture.Model, voc, map);
        (int?[] unmapped, _) = EvaluationRunner.Match(fixture.Model, voc, new Dictionary<string, string>());
        (_, IReadOnlyDictionary<string, int> cocoMissing) =
            EvaluationRunner.Match(fixture.Model, coco, new Dictionary<string, string>());

        Assert.Equal("bicycle", map["bike"]);
        Assert.Equal(fixture.Model.Labels!.ToList().IndexOf("bicycle"), vocClasses[1]);
        Assert.Null(unmapped[1]);
        Assert.Null(vocClasses[2]);
        Assert.Equal(new Dictionary<string, int> { ["sofa"] = 1 }, vocMissing);
        Assert.Equal(new Dictionary<string, int> { ["couch"] = 1 }, cocoMissing);
    }

    [Fact]
    public void MalformedAnnotations_SayWhatIsWrong()
    {
        using var folder = new TempFolder();
        string voc = Path.Combine(folder.Path, "bad.xml");
        File.WriteAllText(voc, "<annotation><filename>a.jpg</filename><object><name>dog</name></object></annotation>");
        string coco = Path.Combine(folder.Path, "bad.json");
        File.WriteAllText(coco, """{"images": [], "annotations": [{"image_id": 1}], "categories": []}""");
        string map = Path.Combine(folder.Path, "map.txt");
        File.WriteAllText(map, "dog\n");

        Assert.Contains("no <bndbox>", Assert.Throws<UnreadableInputException>(() =>
            GroundTruth.Read(voc, folder.Path)).Message);
        Assert.Contains("COCO", Assert.Throws<UnreadableInputException>(() =>
            GroundTruth.Read(coco, folder.Path)).Message);
        Assert.Contains("line 1", Assert.Throws<UnreadableInputException>(() =>
            GroundTruth.ReadLabelMap(map)).Message);
    }
}
