using System.Runtime.InteropServices;

namespace GradCamSharp.Cli;

/// <summary>
/// Ctrl-C and SIGTERM as a cancellation: the first one cancels <see cref="Token"/>, so that the running command stops
/// between photos, removes its staging folder and exits with <see cref="ExitCodes.Cancelled"/>; a second one, or a
/// command that does not stop within <see cref="GracePeriod"/>, ends the process at once, with the same code.
/// </summary>
internal sealed class Interruption : IDisposable
{
    /// <summary>How long a command has to clean up after the first signal.</summary>
    public static readonly TimeSpan GracePeriod = TimeSpan.FromSeconds(20);

    private readonly CancellationTokenSource _source = new();
    private readonly PosixSignalRegistration[] _registrations;
    private readonly TextWriter _error;
    private int _signals;

    public Interruption(TextWriter error)
    {
        _error = error;
        _registrations = [PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal),
            PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal)];
    }

    /// <summary>Cancelled by the first signal.</summary>
    public CancellationToken Token => _source.Token;

    private void OnSignal(PosixSignalContext context)
    {
        context.Cancel = true;
        if (Interlocked.Increment(ref _signals) > 1)
        {
            EndAtOnce("gradcam: stopped at once");
            return;
        }
        // What happens next is said by the run's last line: "cancelled; nothing was written", or, for a signal that
        // came while the output was being published (which is all or nothing), that the complete output was kept.
        _error.WriteLine("gradcam: interrupted; stopping (again to stop at once)");
        _source.Cancel();
        _ = Task.Delay(GracePeriod).ContinueWith(_ => EndAtOnce(
            $"gradcam: not stopped within {GracePeriod.TotalSeconds:0} s; stopped at once"), TaskScheduler.Default);
    }

    /// <summary>
    /// Ends the process without the runtime's shutdown. That shutdown (<see cref="Environment.Exit"/>, or a signal's
    /// default action) ends in the C library's <c>exit</c>, which runs LibTorch's and ONNX Runtime's static destructors
    /// while the command still computes on the main thread: an evaluation interrupted inside a Score-CAM pass died of
    /// a segmentation fault (exit 139), or first reported a convolution failing ("Invalid (backend, op) pair").
    /// <c>_exit</c> ends it as a kill would; what was written stays whole (records are appended a line at a time and
    /// outputs published all or nothing).
    /// </summary>
    private void EndAtOnce(string message)
    {
        _error.WriteLine(message);
        _error.Flush();
        if (OperatingSystem.IsWindows()) Environment.Exit(ExitCodes.Cancelled);
        ExitImmediately(ExitCodes.Cancelled);
    }

    [DllImport("libc", EntryPoint = "_exit")]
    private static extern void ExitImmediately(int status);

    public void Dispose()
    {
        foreach (PosixSignalRegistration registration in _registrations) registration.Dispose();
        _source.Dispose();
    }
}
