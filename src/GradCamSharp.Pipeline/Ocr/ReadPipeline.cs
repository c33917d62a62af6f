using TorchSharp;
using GradCamSharp.Imaging;
using static TorchSharp.torch;

namespace GradCamSharp.Pipeline.Ocr;

/// <summary>
/// Text-line pictures in; the text, a map per character (or word) and method, a panel per line and
/// <c>explanations.json</c> out, published only when every picture succeeded. The shell of <c>gradcam read</c>.
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
        var explainer = new TextLineExplainer(recognizer, job.Settings, words);
        var batch = new PhotoBatch(job.Images, job.OutputDirectory, job.Decoding, job.Overwrite);
        return batch.Run((photo, output) =>
        {
            using DisposeScope scope = NewDisposeScope();
            if (pages is null || !PageReader.IsPage(photo.Bitmap.Width, photo.Bitmap.Height))
            {
                using ExplainedLine line = explainer.Explain(photo.Bitmap, Path.GetFileName(photo.Source.Path));
                report?.Invoke(photo.Source.Path, line.Line.Text);
                return Write(line, photo, output, null);
            }
            var entries = new List<ManifestEntry>();
            var texts = new List<string>();
            IReadOnlyList<PageLine> lines = pages.Lines(photo.Bitmap);
            try
            {
                for (int k = 0; k < lines.Count; k++)
                {
                    PageLine pageLine = lines[k];
                    using ExplainedLine line = explainer.Explain(pageLine.Picture,
                        $"{Path.GetFileName(photo.Source.Path)}, line {k + 1}");
                    texts.Add(line.Line.Text);
                    LoadedPhoto part =
                        photo with { Source = photo.Source with { Stem = $"{photo.Source.Stem}_line{k + 1:00}" } };
                    entries.AddRange(Write(line, part, output, (k, pageLine)));
                }
            }
            finally
            {
                foreach (PageLine pageLine in lines) pageLine.Dispose();
            }
            report?.Invoke(photo.Source.Path, string.Join('\n', texts));
            return entries;
        }, progress, cancellationToken: cancellationToken);
    }

    /// <summary>
    /// Stages a line's maps and panel; on a page, peaks and boxes move to page coordinates and the entries say which
    /// line of the page they belong to.
    /// </summary>
    private static List<ManifestEntry> Write(ExplainedLine line, LoadedPhoto photo, StagedOutput output,
        (int Index, PageLine Line)? onPage)
    {
        string? linePanel = null;
        if (line.Panel is not null)
            PngFile.Save(line.Panel, output.Add($"{photo.Source.Stem}_line_panel.png", out linePanel));
        var entries = new List<ManifestEntry>();
        foreach (ExplainedToken token in line.Tokens)
        {
            entries.AddRange(ExplainPipeline.Write(token.Rendered, photo, TextRecognizer.Name, "log-probability",
                output).Select(entry => entry with
            {
                Text = line.Line.Text,
                Token = token.Text,
                TokenIndex = token.Index,
                Frames = token.Frames,
                LinePanel = linePanel,
                Line = onPage?.Index + 1,
                LineBox = onPage?.Line.Box.ToArray(),
                Peak = onPage is { } page ? ToPage(page.Line, entry.Peak) : entry.Peak,
                Box = onPage is { } boxed && entry.Box is int[] box ? ToPageBox(boxed.Line, box) : entry.Box,
            }));
        }
        return entries;
    }

    private static int[] ToPage(PageLine line, int[] point)
    {
        (int x, int y) = line.ToPage(point[0], point[1]);
        return [x, y];
    }

    private static int[] ToPageBox(PageLine line, int[] box)
    {
        (int ax, int ay) = line.ToPage(box[0], box[1]);
        (int bx, int by) = line.ToPage(box[2] - 1, box[3] - 1);
        return [Math.Min(ax, bx), Math.Min(ay, by), Math.Max(ax, bx) + 1, Math.Max(ay, by) + 1];
    }
}
