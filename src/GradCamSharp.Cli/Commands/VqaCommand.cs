using System.CommandLine;
using System.Globalization;
using GradCamSharp.VisionLanguage;

namespace GradCamSharp.Cli.Commands;

/// <summary><c>gradcam vqa</c>: answers a question about photos and explains the answers.</summary>
internal static class VqaCommand
{
    /// <summary>The parsed arguments of <c>vqa</c>.</summary>
    /// <param name="Model">A shipped VQA model's name or a model file.</param>
    /// <param name="Job">Photos, question, answers, settings and output folder.</param>
    /// <param name="Json">Also print the manifest.</param>
    /// <param name="Quiet">No progress lines.</param>
    /// <param name="Dataset">A folder or a list to stream through instead of the job's photos.</param>
    public sealed record Arguments(string Model, VisionLanguageJob Job, bool Json, bool Quiet,
        DatasetInput? Dataset = null);

    internal static Command Create()
    {
        var options = new VisionLanguageOptions(VisionLanguageCatalog.ShapesVqa);
        var question = new Option<string>("--question", "-Q")
        {
            Description = "The question, in the model's words",
            Required = true,
        };
        var answers = new Option<string[]>("--answer", "-a")
        {
            Description = "An answer to explain, given by the model or not; repeatable (default: the top answers)",
        };
        var top = new Option<int>("--top", "-k")
        {
            Description = "Explain the K likeliest answers when no --answer is given",
            DefaultValueFactory = _ => 1,
        };
        const string summary = "Answer a question about photos and explain the answers";
        var command = CommandHelp.Create("vqa", summary, """
            Answer a question about each photo with a VQA model (CNN features, LSTM question, attention fusion,
            answer classifier), print the likeliest answers with their probabilities, and explain the given or top
            answers: any answer can be explained, including ones the model did not give (the paper's "red" versus
            "yellow"). Writes one map per answer and method and explanations.json with 'question' and 'answer' fields.

            Examples:
              gradcam vqa scene.png --question "what color is the star"
              gradcam vqa scene.png --question "what color is the star" --answer red --answer yellow --method all
              gradcam vqa samples/person.jpg --model photos-vqa --question "what is on the right" --layer head.fuse.1
              gradcam vqa --from-list scenes.txt --question "how many stars" --out out/   # streamed, resumable
            """);
        options.AddTo(command);
        foreach (Option option in new Option[] { question, answers, top }) command.Add(option);
        command.SetAction((result, cancellationToken) =>
        {
            VisionLanguageJob job = options.Read(result) with
            {
                Question = result.GetValue(question),
                Answers = result.GetValue(answers) ?? [],
                TopAnswers = result.GetValue(top),
            };
            return Task.FromResult(Run(result.InvocationConfiguration.Output, result.InvocationConfiguration.Error,
                new Arguments(result.GetValue(options.Model)!, job, result.GetValue(options.Json),
                    result.GetValue(options.Quiet), options.ReadDataset(result)), cancellationToken));
        });
        return command;
    }

    /// <summary>Runs <c>vqa</c>; returns the exit code.</summary>
    public static int Run(TextWriter output, TextWriter error, Arguments arguments,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        VisionLanguageOptions.Validate(arguments.Job);
        if (string.IsNullOrWhiteSpace(arguments.Job.Question)) throw new UsageException("the question is empty");
        if (arguments.Dataset is not null) DatasetInput.RefuseJson(arguments.Json);
        using VqaModel model = VisionLanguageCatalog.LoadVqa(arguments.Model);
        void Report(string image, ExplainedAnswers answers) => output.WriteLine($"{image}: " + string.Join(", ",
            answers.Ranked.Take(5).Select(a =>
                $"{a.Answer} {a.Probability.ToString("0.000", CultureInfo.InvariantCulture)}")));
        return VisionLanguageOptions.Run(output, error, VisionLanguagePipeline.AnswerTask(model, arguments.Job,
            Report), arguments.Job, arguments.Dataset, arguments.Json, arguments.Quiet, cancellationToken);
    }
}
