using System.Diagnostics;
using GradCamSharp.Methods;

namespace GradCamSharp.Pipeline;

/// <summary>
/// A long method's progress as occasional lines ("scorecam: 256/512 perturbed inputs"): nothing for work that ends
/// within <see cref="Interval"/>, then a line at most every <see cref="Interval"/>, so that short runs stay quiet and
/// long ones show they are alive.
/// </summary>
/// <param name="lines">Receives the lines.</param>
internal sealed class MethodProgressLines(IProgress<string> lines) : IProgress<MethodProgress>
{
    /// <summary>The quiet time before the first line and between lines.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(2);

    private readonly Stopwatch _sinceLastLine = Stopwatch.StartNew();
    private string? _method;
    private long _done;

    /// <inheritdoc />
    public void Report(MethodProgress value)
    {
        if (value.Method != _method || value.Done <= _done)
        {
            // A new map (another method, or the same one counting again) starts its own quiet time.
            _method = value.Method;
            _sinceLastLine.Restart();
        }
        _done = value.Done;
        if (_sinceLastLine.Elapsed < Interval || value.Done >= value.Total) return;
        lines.Report($"{value.Method}: {value.Done}/{value.Total} perturbed inputs");
        _sinceLastLine.Restart();
    }
}
