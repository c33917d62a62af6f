using System.CommandLine;
using System.Globalization;
using GradCamSharp.Maps;
using GradCamSharp.Scenes;
using GradCamSharp.VisionLanguage;

namespace GradCamSharp.Cli.Commands;

/// <summary><c>gradcam caption</c>: captions photos and explains the caption and every content word.</summary>
internal static class CaptionCommand
{
    /// <summary>The parsed arguments of <c>caption</c>.</summary>
    /// <param name="Model">A shipped captioner's name or a model file.</param>
    /// <param name="Job">Photos, settings, output folder and the caption to explain, if given.</param>
    /// <param name="Json">Also print the manifest.</param>
    /// <param name="Quiet">No progress lines.</param>
    /// <param name="Dataset">A folder or a list to stream through instead of the job's photos.</param>
    public sealed record Arguments(string Model, VisionLanguageJob Job, bool Json, bool Quiet,
        DatasetInput? Dataset = null);

    internal static Command Create()
    {
        var options = new VisionLanguageOptions(VisionLanguageCatalog.ShapesCaptioner);
        var caption = new Option<string[]>("--caption")
        {
            Description = "Explain this caption (teacher-forced) instead of the model's own; given several times (or " +
                "with --box), each is read on its own as a phrase and drawn as the paper's dense-captioning figure",
        };
        var box = new Option<string[]>("--box")
        {
            Description = "x0,y0,x1,y1 in photo pixels: the box the --caption of the same rank describes (one per " +
                "--caption)",
        };
        var phrasesFrom = new Option<string?>("--phrases-from")
        {
            Description = "A scenes.json that 'gradcam scenes' wrote: each photo's objects, each read as its own " +
                "phrase with its box (the dense-captioning figure for every scene)",
        };
        var beam = new Option<int>("--beam")
        {
            Description =
                $"Beam width of the model's own caption (1: greedy; at most {VisionLanguageModel.MaxBeamWidth})",
            DefaultValueFactory = _ => 1,
        };
        const string summary = "Caption photos and explain the caption and each word";
        var command = CommandHelp.Create("caption", summary, """
            Generate a caption for each photo (greedy decoding, or beam search with --beam K) with a captioner (CNN
            encoder, attention LSTM decoder), then explain the whole caption (the sum of its words' log-probabilities)
            and every content word (its log-probability given the words before it). Writes one map per word and
            method, a panel with the caption under it (PHOTO_words_panel.png) and explanations.json with 'caption'
            and 'word' fields.

            Examples:
              gradcam caption scene.png
              gradcam caption scene.png --beam 5
              gradcam caption scene.png --caption "a red circle left of a blue star" --method all
              gradcam caption samples/dog.jpg --model photos-captioner --out out/
              gradcam caption scenes/ --out out/     # a folder: streamed into out/explanations.jsonl, resumable

            With several --caption phrases, each with a --box, it draws the paper's dense-captioning figure
            (PHOTO_phrases_panel.png): the boxes on the left, each phrase's map with its box on the right; each phrase
            is read on its own and explained through its words' log-probability.

              gradcam caption scene.png --caption "a red circle" --box 10,20,60,70 --caption "a blue star" \
                  --box 100,30,150,80
              gradcam caption scenes/scene_00003.png --phrases-from scenes/scenes.json
            """);
        options.AddTo(command);
        command.Add(caption);
        command.Add(box);
        command.Add(phrasesFrom);
        command.Add(beam);
        command.SetAction((result, cancellationToken) =>
        {
            string[] captions = result.GetValue(caption) ?? [], boxes = result.GetValue(box) ?? [];
            bool phrases = captions.Length > 1 || boxes.Length > 0;
            string? index = result.GetValue(phrasesFrom);
            if (index is not null && captions.Length > 0)
                throw new UsageException("--phrases-from takes the phrases from the index: give no --caption");
            VisionLanguageJob job = options.Read(result) with
            {
                Caption = phrases ? null : captions.SingleOrDefault(),
                Phrases = phrases ? Phrases(captions, boxes) : [],
                PhrasesByImage = index is null ? new Dictionary<string, IReadOnlyList<DescribedBox>>()
                    : PhrasesByImage(index),
                BeamWidth = result.GetValue(beam),
            };
            return Task.FromResult(Run(result.InvocationConfiguration.Output, result.InvocationConfiguration.Error,
                new Arguments(result.GetValue(options.Model)!, job, result.GetValue(options.Json),
                    result.GetValue(options.Quiet), options.ReadDataset(result)), cancellationToken));
        });
        return command;
    }

    /// <summary>Pairs each phrase with the box of the same rank; no boxes at all is allowed.</summary>
    /// <exception cref="UsageException">As many boxes as phrases are needed, or none; a bad box.</exception>
    internal static IReadOnlyList<DescribedBox> Phrases(IReadOnlyList<string> captions, IReadOnlyList<string> boxes)
    {
        if (boxes.Count > 0 && boxes.Count != captions.Count)
        {
            throw new UsageException($"{boxes.Count} --box for {captions.Count} --caption: give one box per " +
                "caption, in the same order, or none");
        }
        if (captions.Any(string.IsNullOrWhiteSpace)) throw new UsageException("--caption is empty");
        return [.. captions.Select((phrase, k) => new DescribedBox(phrase, boxes.Count == 0 ? null
            : ExplainCommand.ParseRegion(boxes[k], "--box") is int[] v ? new Box(v[0], v[1], v[2], v[3]) : null))];
    }

    /// <summary>Each scene's objects of a scenes index as phrases with their boxes, by image file name.</summary>
    /// <exception cref="UnreadableInputException">Not a scenes index.</exception>
    internal static IReadOnlyDictionary<string, IReadOnlyList<DescribedBox>> PhrasesByImage(string path)
    {
        var phrases = new Dictionary<string, IReadOnlyList<DescribedBox>>(StringComparer.Ordinal);
        foreach (SceneRecord scene in SceneWriter.ReadIndex(path))
        {
            string name = Path.GetFileName(scene.Image);
            if (!phrases.TryAdd(name, [.. scene.Objects.Select(o => new DescribedBox(
                SceneLanguage.Phrase(o.Label, o.Color), new Box(o.Box[0], o.Box[1], o.Box[2], o.Box[3])))]))
            {
                throw new UnreadableInputException($"'{path}' lists {name} twice");
            }
        }
        return phrases;
    }

    /// <summary>Runs <c>caption</c>; returns the exit code.</summary>
    public static int Run(TextWriter output, TextWriter error, Arguments arguments,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        VisionLanguageOptions.Validate(arguments.Job);
        if (arguments.Job.Caption is { } given && string.IsNullOrWhiteSpace(given))
            throw new UsageException("--caption is empty");
        if (arguments.Job.BeamWidth is < 1 or > VisionLanguageModel.MaxBeamWidth)
        {
            throw new UsageException(
                $"--beam must lie in 1..{VisionLanguageModel.MaxBeamWidth}, got {arguments.Job.BeamWidth}");
        }
        if (arguments.Dataset is not null) DatasetInput.RefuseJson(arguments.Json);
        using Captioner model = VisionLanguageCatalog.LoadCaptioner(arguments.Model);
        void ReportPhrases(string image, ExplainedPhrases phrases)
        {
            foreach (ExplainedPhrase phrase in phrases.Phrases)
            {
                output.WriteLine($"{image}: \"{phrase.Phrase}\", log p " + phrase.Rendered.Maps[0].Explanation.Score
                    .ToString("0.00", CultureInfo.InvariantCulture) + (phrase.PeakInBox is bool inside
                    ? inside ? ", peak in its box" : ", peak outside its box" : ""));
            }
        }
        void Report(string image, ExplainedCaption reading)
        {
            output.WriteLine($"{image}: \"{reading.Caption}\"" + (reading.Generated ? "" : " (given)") +
                $", log-likelihood {reading.LogLikelihood.ToString("0.00", CultureInfo.InvariantCulture)}");
            foreach (ExplainedWord word in reading.Words.Skip(1))
            {
                output.WriteLine($"  {word.Word} (word {word.Position + 1}): log p = " +
                    word.Rendered.Maps[0].Explanation.Score.ToString("0.00", CultureInfo.InvariantCulture));
            }
        }
        return VisionLanguageOptions.Run(output, error, VisionLanguagePipeline.CaptionTask(model, arguments.Job,
            Report, ReportPhrases), arguments.Job, arguments.Dataset, arguments.Json, arguments.Quiet,
            cancellationToken);
    }
}
