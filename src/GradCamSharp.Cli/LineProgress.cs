namespace GradCamSharp.Cli;

/// <summary>
/// Writes each progress report as a line, in order, on the calling thread (Progress&lt;T&gt; would post to the thread
/// pool and could interleave with the command's own output).
/// </summary>
internal sealed class LineProgress(TextWriter writer, string prefix = "") : IProgress<string>
{
    public void Report(string value) => writer.WriteLine(prefix + value);
}
