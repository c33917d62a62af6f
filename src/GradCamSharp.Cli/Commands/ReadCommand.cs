using System.CommandLine;
using GradCamSharp.Imaging;
using GradCamSharp.Methods;
using GradCamSharp.Models;
using GradCamSharp.Pipeline;
using GradCamSharp.Ocr;

namespace GradCamSharp.Cli.Commands;

/// <summary><c>gradcam read</c>: reads text lines with PaddleOCR's recogniser and explains every character.</summary>
internal static class ReadCommand
{
    /// <summary>The method <c>read</c> uses when none is given: the best pointing on rendered text (README).</summary>
    public const string DefaultMethod = "hirescam";

    /// <summary>The parsed arguments of <c>read</c>.</summary>
    /// <param name="Job">Pictures, settings and output folder.</param>
    /// <param name="Words">Explain words rather than characters.</param>
    /// <param name="Json">Also print the manifest.</param>
    /// <param name="Quiet">No progress lines.</param>
    /// <param name="Dataset">A folder or a list to stream through instead of the job's pictures.</param>
    public sealed record Arguments(ExplainJob Job, bool Words, bool Json, bool Quiet, DatasetInput? Dataset = null);

    internal static Command Create()
    {
        var images = new Argument<string[]>("IMAGE")
        {
            Description = "Pictures of text lines or pages (JPEG, PNG, WebP, BMP), or one folder of them",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var dataset = new DatasetOptions();
        Option<string[]> method = MethodOption.Create(DefaultMethod);
        var layer = new Option<string>("--layer", "-l")
        {
            Description = $"Target layer; 'auto' is {TextRecognizer.DefaultLayer}, the last feature map before the " +
                "sequence head",
            DefaultValueFactory = _ => ModelLayers.Auto,
        };
        var words = new Option<bool>("--words") { Description = "One map per word instead of per character" };
        var outputs = new OutputOptions();
        var photos = new PhotoOptions();
        var command = CommandHelp.Create("read", "Read text lines and explain each character", $"""
            Read each picture with PaddleOCR's PP-OCRv4 models (fetched by the build from npm): a picture at least three
            times as wide as high is one line; anything else is a page, whose lines the DB detector finds and the
            orientation classifier turns upright, in reading order. The recogniser (CTC over 6,623 characters) reads
            each line, and each character it read is explained: the map of that character's
            log-probability over the frames it was read on. Prints the text; writes a map per character (or word) and
            method, a panel of the line with every map (PICTURE_line_panel.png) and explanations.json with 'text',
            'token', 'token_index' and 'frames'. The default method is {DefaultMethod}: on rendered lines it points
            inside the character's span more often than Grad-CAM (see the README).

            Examples:
              gradcam read samples/text/textline_upright.png
              gradcam read page.png --out out/
              gradcam read line.png --words --method hirescam --method layercam --out out/
              gradcam read scans/ --out out/ --max-failures 10   # a folder: streamed, resumable
            """);
        command.Add(images);
        foreach (Option option in new Option[] { method, layer, words }) command.Add(option);
        outputs.AddTo(command);
        photos.AddTo(command);
        dataset.AddTo(command);
        command.SetAction((result, cancellationToken) =>
        {
            DatasetInput? input = dataset.Read(result, result.GetValue(images) ?? []);
            ExplainJob job = outputs.Job(result, input is null ? result.GetValue(images) ?? [] : [], photos, method,
                DefaultMethod);
            job = job with { Settings = job.Settings with { Layer = result.GetValue(layer)! } };
            return Task.FromResult(Run(result.InvocationConfiguration.Output, result.InvocationConfiguration.Error,
                new Arguments(job, result.GetValue(words), result.GetValue(outputs.Json),
                    result.GetValue(outputs.Quiet), input),
                cancellationToken));
        });
        return command;
    }

    /// <summary>Runs <c>read</c>; returns the exit code.</summary>
    public static int Run(TextWriter output, TextWriter error, Arguments arguments,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        ExplainJob job = arguments.Job;
        _ = KnownMethods.Expand(job.Settings.Methods);
        _ = KnownColormaps.Get(job.Settings.Colormap);
        foreach (string image in job.Images) ImageLoader.Probe(image, job.Decoding);
        if (arguments.Dataset is not null) DatasetInput.RefuseJson(arguments.Json);
        using TextRecognizer recognizer = TextRecognizer.Load();
        using PageReader pages = PageReader.Load();
        void Report(string image, string text)
        {
            string[] lines = text.Split('\n');
            if (lines.Length == 1) output.WriteLine($"{image}: \"{text}\"");
            else output.WriteLine($"{image}: {lines.Length} lines\n" + string.Join('\n', lines.Select(l => $"  {l}")));
        }
        var pipeline = new ReadPipeline(recognizer);
        if (arguments.Dataset is DatasetInput dataset)
        {
            return dataset.Execute(job.OutputDirectory, job.Decoding, job.Overwrite, (pictures, run, progress) =>
                run.Run(pictures, pipeline.Task(job, arguments.Words, Report, pages, cancellationToken), progress,
                    cancellationToken), error, arguments.Quiet);
        }
        IReadOnlyList<ManifestEntry> entries = pipeline.Run(job, arguments.Words, Report,
            arguments.Quiet ? null : new LineProgress(error), pages, cancellationToken);
        return OutputOptions.Finish(output, error, entries, job.OutputDirectory, arguments.Json, arguments.Quiet);
    }
}
