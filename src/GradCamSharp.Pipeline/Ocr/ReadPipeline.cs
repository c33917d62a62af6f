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
    /// <summary>Reads and explains every picture of <paramref name="job"/>.</summary>
    /// <param name="job">The pictures and settings.</param>
    /// <param name="words">Explain words instead of characters.</param>
    /// <param name="report">Receives each picture's path and the text read.</param>
    /// <param name="progress">A line per picture.</param>
    /// <param name="cancellationToken">Checked between pictures; a cancelled run writes nothing.</param>
    public IReadOnlyList<ManifestEntry> Run(ExplainJob job, bool words = false, Action<string, string>? report = null,
        IProgress<string>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(job);
        var explainer = new TextLineExplainer(recognizer, job.Settings, words);
        var batch = new PhotoBatch(job.Images, job.OutputDirectory, job.Decoding, job.Overwrite);
        return batch.Run((photo, output) =>
        {
            using DisposeScope scope = NewDisposeScope();
            using ExplainedLine line = explainer.Explain(photo.Bitmap, Path.GetFileName(photo.Source.Path));
            report?.Invoke(photo.Source.Path, line.Line.Text);
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
                }));
            }
            return entries;
        }, progress, cancellationToken: cancellationToken);
    }
}
