using System.Runtime.InteropServices;

namespace GradCamSharp.Cli;

/// <summary>
/// Ctrl-C and SIGTERM as a cancellation: the first one cancels <see cref="Token"/>, so that the running command stops
/// between photos, removes its staging folder and exits with <see cref="ExitCodes.Cancelled"/>; a second one, or a
/// command that does not stop within <see cref="GracePeriod"/>, ends the process at once.
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
        if (Interlocked.Increment(ref _signals) > 1) return;   // the default action: the process ends now
        context.Cancel = true;
        // What happens next is said by the run's last line: "cancelled; nothing was written", or, for a signal that
        // came while the output was being published (which is all or nothing), that the complete output was kept.
        _error.WriteLine("gradcam: interrupted; stopping (again to stop at once)");
        _source.Cancel();
        _ = Task.Delay(GracePeriod).ContinueWith(_ => Environment.Exit(ExitCodes.Cancelled),
            TaskScheduler.Default);
    }

    public void Dispose()
    {
        foreach (PosixSignalRegistration registration in _registrations) registration.Dispose();
        _source.Dispose();
    }
}
