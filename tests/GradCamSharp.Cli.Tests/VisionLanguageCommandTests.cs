using System.Text.Json;
using GradCamSharp.Imaging;
using GradCamSharp.Maps;
using GradCamSharp.Scenes;

namespace GradCamSharp.Cli.Tests;

/// <summary><c>gradcam caption</c> and <c>gradcam vqa</c> on held-out shape scenes, with the shipped models.</summary>
public sealed class VisionLanguageCommandTests
{
    /// <summary>Writes held-out scene <paramref name="index"/> of seed 4242 (never a training seed) as a PNG.</summary>
    private static (string Path, Scene Scene) HeldOutScene(TempFolder folder, int index)
    {
        using var world = new ShapeWorld();
        Scene scene = world.Generate(4242, index);
        string path = Path.Combine(folder.Path, $"scene{index}.png");
        PngFile.Save(scene.Image, path);
        return (path, scene);
    }

    [Fact]
    public void Caption_WritesAMapPerContentWordAndMethod_WithTheCaptionInTheManifest()
    {
        using var folder = new TempFolder();
        (string image, Scene scene) = HeldOutScene(folder, 3);
        using (scene)
        {
            string output = Path.Combine(folder.Path, "out");
            CliRun run = CliRun.Of("caption", image, "--method", "gradcam", "--method", "guided-gradcam", "--out",
                output);

            Assert.Equal(0, run.ExitCode);
            Assert.Contains("log-likelihood", run.Output);
            using JsonDocument manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(output,
                "explanations.json")));
            JsonElement[] entries = manifest.RootElement.EnumerateArray().ToArray();
            string caption = entries[0].GetProperty("caption").GetString()!;
            string[] content = caption.Split(' ').Where(w => w is not ("a" or "and" or "," or "of")).ToArray();
            // The whole caption, then each content word, each by both methods.
            Assert.Equal(2 * (1 + content.Length), entries.Length);
            Assert.False(entries[0].TryGetProperty("word", out _));
            Assert.Equal(content, entries.Where(e => e.TryGetProperty("word", out _)).Select(e =>
                e.GetProperty("word").GetString()).Distinct());
            Assert.All(entries,
                e => Assert.True(File.Exists(Path.Combine(output, e.GetProperty("file").GetString()!))));
            Assert.True(File.Exists(Path.Combine(output, "scene3_words_panel.png")));
        }
    }

    [Fact]
    public void Caption_PhrasesWithBoxes_DrawTheDenseCaptioningFigure_AndEachPhrasesBoxIsInTheManifest()
    {
        using var folder = new TempFolder();
        (string image, Scene scene) = HeldOutScene(folder, 5);
        using (scene)
        {
            string output = Path.Combine(folder.Path, "out");
            var args = new List<string> { "caption", image, "--method", "gradcam", "--out", output };
            foreach (SceneObject item in scene.Objects)
            {
                args.AddRange(["--caption", SceneLanguage.Phrase(item), "--box",
                    $"{item.Box.X0},{item.Box.Y0},{item.Box.X1},{item.Box.Y1}"]);
            }
            CliRun run = CliRun.Of([.. args]);
            CliRun unpaired = CliRun.Of("caption", image, "--caption", "a red circle", "--caption", "a blue star",
                "--box", "1,1,9,9", "--out", Path.Combine(folder.Path, "o2"));
            CliRun badBox = CliRun.Of("caption", image, "--caption", "a red circle", "--box", "9,9,1,1", "--out",
                Path.Combine(folder.Path, "o3"));

            Assert.Equal(0, run.ExitCode);
            using JsonDocument manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(output,
                "explanations.json")));
            JsonElement[] entries = manifest.RootElement.EnumerateArray().ToArray();
            Assert.Equal(scene.Objects.Select(SceneLanguage.Phrase), entries.Select(e =>
                e.GetProperty("caption").GetString()));
            for (int k = 0; k < entries.Length; k++)
            {
                Box box = scene.Objects[k].Box;
                Assert.Equal([box.X0, box.Y0, box.X1, box.Y1], entries[k].GetProperty("box").EnumerateArray()
                    .Select(v => v.GetInt32()));
                int[] peak = [.. entries[k].GetProperty("peak").EnumerateArray().Select(v => v.GetInt32())];
                Assert.Equal(((Area)box).ContainsPixel(peak[0], peak[1]),
                    entries[k].GetProperty("peak_in_box").GetBoolean());
            }
            Assert.True(File.Exists(Path.Combine(output, "scene5_phrases_panel.png")));
            Assert.Equal(scene.Objects.Count, run.Output.Split('\n').Count(l => l.Contains("its box",
                StringComparison.Ordinal)));
            Assert.Equal((2, 2), (unpaired.ExitCode, badBox.ExitCode));
            Assert.Contains("1 --box for 2 --caption", unpaired.Error, StringComparison.Ordinal);
            Assert.Contains("--box 9,9,1,1 is empty", badBox.Error, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Caption_PhrasesFromAScenesIndex_EachObjectWithItsBox_AndAPhotoNotInItIsRefused()
    {
        using var folder = new TempFolder();
        string scenes = folder["scenes"];
        Assert.Equal(0, CliRun.Of("scenes", "--count", "2", "--seed", "4242", "--out", scenes).ExitCode);
        (string other, Scene otherScene) = HeldOutScene(folder, 7);
        otherScene.Dispose();
        string index = Path.Combine(scenes, "scenes.json");

        CliRun run = CliRun.Of("caption", Path.Combine(scenes, "scene_00001.png"), "--phrases-from", index,
            "--method", "gradcam", "--out", folder["out"]);
        CliRun missing = CliRun.Of("caption", other, "--phrases-from", index, "--out", folder["o2"]);
        File.WriteAllText(folder["inverted.json"], File.ReadAllText(index).Replace("\"box\": [", "\"box\": [500, ",
            StringComparison.Ordinal).Replace("\"box\":[", "\"box\":[500,", StringComparison.Ordinal));
        CliRun inverted = CliRun.Of("caption", other, "--phrases-from", folder["inverted.json"], "--out",
            folder["o3"]);

        Assert.Equal(0, run.ExitCode);
        using JsonDocument written = JsonDocument.Parse(File.ReadAllText(index));
        JsonElement[] objects = [.. written.RootElement[1].GetProperty("objects").EnumerateArray()];
        using JsonDocument manifest = JsonDocument.Parse(File.ReadAllText(folder["out/explanations.json"]));
        JsonElement[] entries = [.. manifest.RootElement.EnumerateArray()];
        Assert.Equal(objects.Select(o => SceneLanguage.Phrase(o.GetProperty("label").GetString()!,
            o.GetProperty("color").GetString())), entries.Select(e => e.GetProperty("caption").GetString()));
        static string Box(JsonElement e) => string.Join(',', e.GetProperty("box").EnumerateArray()
            .Select(v => v.GetInt32()));
        Assert.Equal(objects.Select(Box), entries.Select(Box));
        Assert.Equal(2, missing.ExitCode);
        Assert.Contains("not in the scenes index", missing.Error, StringComparison.Ordinal);
        Assert.Equal(3, inverted.ExitCode);   // five numbers per box: not an index 'gradcam scenes' writes
        Assert.Contains("not a scenes index", inverted.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void EvaluateDenseCaption_ReportsPointingAndTheLeftmostShare_AndRefusesATrainingSeed()
    {
        CliRun run = CliRun.Of("evaluate", "--task", "dense-caption", "--world", "shapes", "--scenes", "3", "--seed",
            "4242", "--method", "gradcam", "--json");
        CliRun trainingSeed = CliRun.Of("evaluate", "--task", "dense-caption", "--scenes", "1", "--seed", "1");
        CliRun withEnd = CliRun.Of("evaluate", "--task", "dense-caption", "--scenes", "1", "--seed", "4242",
            "--method", "gradcam", "--phrase-end", "--json");
        CliRun endWithoutTask = CliRun.Of("evaluate", "--phrase-end");

        Assert.Equal(0, run.ExitCode);
        using JsonDocument report = JsonDocument.Parse(run.Output);
        Assert.Equal("dense-caption", report.RootElement.GetProperty("task").GetString());
        Assert.Equal("shapes-captioner", report.RootElement.GetProperty("model").GetString());
        JsonElement score = report.RootElement.GetProperty("localisation")[0];
        Assert.InRange(score.GetProperty("pointing").GetDouble(), 0, 1);
        Assert.True(score.GetProperty("targets").GetInt32() >= 3);
        Assert.Equal(2, trainingSeed.ExitCode);
        Assert.Contains("was used in training", trainingSeed.Error, StringComparison.Ordinal);
        Assert.False(report.RootElement.GetProperty("phrase_end").GetBoolean());
        using JsonDocument ended = JsonDocument.Parse(withEnd.Output);
        Assert.True(ended.RootElement.GetProperty("phrase_end").GetBoolean());
        Assert.Equal(2, endWithoutTask.ExitCode);
    }

    [Fact]
    public void Vqa_ExplainsAnswersItGaveAndDidNot_WithQuestionAndAnswerInTheManifest()
    {
        using var folder = new TempFolder();
        (string image, Scene scene) = HeldOutScene(folder, 5);
        using (scene)
        {
            string output = Path.Combine(folder.Path, "out");
            CliRun run = CliRun.Of("vqa", image, "--question", "how many circles are there?", "--answer", "one",
                "--answer", "three", "--method", "gradcam", "--method", "counterfactual", "--out", output, "--json");

            Assert.Equal(0, run.ExitCode);
            string printed = run.Output[(run.Output.IndexOf('[', StringComparison.Ordinal))..];
            JsonElement[] entries = JsonDocument.Parse(printed).RootElement.EnumerateArray().ToArray();
            Assert.Equal(4, entries.Length);
            Assert.All(entries, e => Assert.Equal("how many circles are there", e.GetProperty("question").GetString()));
            Assert.Equal(["one", "one", "three", "three"], entries.Select(e => e.GetProperty("answer").GetString()));
            float sum = entries.Where(e => e.GetProperty("method").GetString() == "gradcam")
                .Sum(e => e.GetProperty("probability").GetSingle());
            Assert.InRange(sum, 0f, 1.0001f);
        }
    }

    [Theory]
    [InlineData("what colour is the star", "unknown word 'colour'")]
    [InlineData("what color is the star 犬犬", "unknown word '犬犬'")]
    [InlineData("what color is the café star", "unknown word 'café'")]
    [InlineData("   ", "the question is empty")]
    [InlineData("what color is the star and the star and the star and the star and the star and the star and the " +
        "star and the star",
        "at most")]
    public void Vqa_BadQuestions_FailCleanlyWithExitCode2(string question, string expected)
    {
        using var folder = new TempFolder();
        (string image, Scene scene) = HeldOutScene(folder, 0);
        using (scene)
        {
            CliRun run = CliRun.Of("vqa", image, "--question", question, "--out", Path.Combine(folder.Path, "o"));

            Assert.Equal(2, run.ExitCode);
            Assert.Contains(expected, run.Error);
            Assert.DoesNotContain("   at ", run.Error);
            Assert.False(Directory.Exists(Path.Combine(folder.Path, "o")));
        }
    }

    [Fact]
    public void WrongKindOfModel_AndUnknownAnswer_AreUsageErrors()
    {
        using var folder = new TempFolder();
        (string image, Scene scene) = HeldOutScene(folder, 1);
        using (scene)
        {
            CliRun wrongModel = CliRun.Of("caption", image, "--model", "shapes-vqa");
            CliRun unknownAnswer = CliRun.Of("vqa", image, "--question", "what color is the star", "--answer", "pink",
                "--out", Path.Combine(folder.Path, "o"));

            Assert.Equal(2, wrongModel.ExitCode);
            Assert.Contains("captioner", wrongModel.Error);
            Assert.Equal(2, unknownAnswer.ExitCode);
            Assert.Contains("'pink' is not an answer", unknownAnswer.Error);
        }
    }
}
