using System.Text.Json;
using GradCamSharp.Imaging;
using SkiaSharp;
using TorchSharp;
using static TorchSharp.torch;
using GradCamSharp.Pipeline;

namespace GradCamSharp.Ocr;

/// <summary>
/// Text-line pictures in; the text, a map per character (or word) and method, a panel per line and
/// <c>explanations.json</c> out, published only when every picture succeeded, or streamed for a dataset (see
/// <see cref="Task"/>). The shell of <c>gradcam read</c>.
/// </summary>
public sealed class ReadPipeline(TextRecognizer recognizer)
{
    /// <summary>
    /// Reads and explains every picture of <paramref name="job"/>: a picture at least three times as wide as it is
    /// high is one line; anything else is a page, whose lines the detector finds (needs <paramref name="pages"/>).
    /// </summary>
    /// <param name="job">The pictures and settings.</param>
    /// <param name="words">Explain words instead of characters.</param>
    /// <param name="report">Receives each picture's path and the text read (lines joined by newlines).</param>
    /// <param name="progress">A line per picture.</param>
    /// <param name="pages">Finds and turns the lines of pages; null to read every picture as one line.</param>
    /// <param name="cancellationToken">Checked between pictures; a cancelled run writes nothing.</param>
    public IReadOnlyList<ManifestEntry> Run(ExplainJob job, bool words = false, Action<string, string>? report = null,
        IProgress<string>? progress = null, PageReader? pages = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(job);
        var batch = new PhotoBatch(job.Images, job.OutputDirectory, job.Decoding, job.Overwrite);
        return batch.Run(Task(job, words, report, pages, cancellationToken).ExplainOne, progress,
            cancellationToken: cancellationToken);
    }

    /// <summary>
    /// What <see cref="Run"/> does to each picture, for a dataset run (see <see cref="PhotoTask"/>); the job's
    /// pictures do not matter.
    /// </summary>
    public PhotoTask Task(ExplainJob job, bool words = false, Action<string, string>? report = null,
        PageReader? pages = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(job);
        var explainer = new TextLineExplainer(recognizer, job.Settings, words);
        string settings = JsonSerializer.Serialize(new
        {
            task = "read", model = TextRecognizer.Name, job.Settings, words, pages = pages is not null, job.Decoding,
        });
        return new PhotoTask(settings, (photo, output) =>
        {
            using DisposeScope scope = NewDisposeScope();
            string name = Path.GetFileName(photo.Source.Path);
            if (pages is null || !PageReader.IsPage(photo.Bitmap.Width, photo.Bitmap.Height))
            {
                (string text, List<ManifestEntry> read) = ReadLine(explainer, photo.Bitmap, name, photo, output, null,
                    cancellationToken);
                report?.Invoke(photo.Source.Path, text);
                return read;
            }
            var entries = new List<ManifestEntry>();
            var texts = new List<string>();
            IReadOnlyList<PageLine> lines = pages.Lines(photo.Bitmap);
            try
            {
                for (int k = 0; k < lines.Count; k++)
                {
                    LoadedPhoto part =
                        photo with { Source = photo.Source with { Stem = $"{photo.Source.Stem}_line{k + 1:00}" } };
                    (string text, List<ManifestEntry> read) = ReadLine(explainer, lines[k].Picture,
                        $"{name}, line {k + 1}", part, output, (k, lines[k]), cancellationToken);
                    texts.Add(text);
                    entries.AddRange(read);
                }
            }
            finally
            {
                foreach (PageLine pageLine in lines) pageLine.Dispose();
            }
            report?.Invoke(photo.Source.Path, string.Join('\n', texts));
            return entries;
        });
    }

    /// <summary>
    /// Reads and explains one line picture (the photo, or a line of a page) window by window, staging each window's
    /// maps as it goes; returns the line's text and the entries, whose text is the whole line's.
    /// </summary>
    private static (string Text, List<ManifestEntry> Entries) ReadLine(TextLineExplainer explainer, SKBitmap picture,
        string name, LoadedPhoto photo, IPhotoOutput output, (int Index, PageLine Line)? onPage,
        CancellationToken cancellationToken)
    {
        var entries = new List<ManifestEntry>();
        var text = new System.Text.StringBuilder();
        int parts = TextRecognizer.Windows(picture.Width, picture.Height).Count;
        int number = 0;
        foreach ((LineWindow window, ExplainedLine line) in explainer.ExplainWindows(picture, name))
        {
            using (line)
            {
                cancellationToken.ThrowIfCancellationRequested();
                number++;
                LoadedPhoto part = parts == 1 ? photo
                    : photo with { Source = photo.Source with { Stem = $"{photo.Source.Stem}_part{number:000}" } };
                int charactersBefore = text.Length;
                entries.AddRange(Write(line, part, output, onPage, window).Select(entry => entry.With<TokenFields>(
                    token => token with
                    {
                        TokenIndex = token.TokenIndex + charactersBefore,
                        Part = parts == 1 ? null : number,
                        PartColumns = parts == 1 ? null : [window.X0, window.X1],
                    })));
                text.Append(line.Line.Text);
            }
        }
        string whole = text.ToString();
        return (whole, [.. entries.Select(entry => entry.With<TokenFields>(token => token with { Text = whole }))]);
    }

    /// <summary>
    /// Stages a window's maps and panel; peaks and boxes move from the window's picture to the line's (and on a page
    /// to the page's), and the entries say which line of the page they belong to.
    /// </summary>
    private static List<ManifestEntry> Write(ExplainedLine line, LoadedPhoto photo, IPhotoOutput output,
        (int Index, PageLine Line)? onPage, LineWindow window)
    {
        string? linePanel = null;
        if (line.Panel is not null)
            PngFile.Save(line.Panel, output.Add($"{photo.Source.Stem}_line_panel.png", out linePanel));
        (int X, int Y) ToPicture(int x, int y) => onPage is { } page ? page.Line.ToPage(x + window.X0, y)
            : (x + window.X0, y);
        var entries = new List<ManifestEntry>();
        foreach (ExplainedToken token in line.Tokens)
        {
            entries.AddRange(ExplainPipeline.Write(token.Rendered, photo, TextRecognizer.Name, "log-probability",
                output).Select(entry => (entry with
            {
                Peak = ToPoint(ToPicture, entry.Peak),
                Box = entry.Box is int[] box ? ToBox(ToPicture, box) : null,
            }).With(new TokenFields
            {
                Token = token.Text,
                TokenIndex = token.Index,
                Frames = token.Frames,
                LinePanel = linePanel,
                Line = onPage?.Index + 1,
                LineBox = onPage?.Line.Box.ToArray(),
            })));
        }
        return entries;
    }

    private static int[] ToPoint(Func<int, int, (int X, int Y)> map, int[] point)
    {
        (int x, int y) = map(point[0], point[1]);
        return [x, y];
    }

    private static int[] ToBox(Func<int, int, (int X, int Y)> map, int[] box)
    {
        (int ax, int ay) = map(box[0], box[1]);
        (int bx, int by) = map(box[2] - 1, box[3] - 1);
        return [Math.Min(ax, bx), Math.Min(ay, by), Math.Max(ax, bx) + 1, Math.Max(ay, by) + 1];
    }
}
