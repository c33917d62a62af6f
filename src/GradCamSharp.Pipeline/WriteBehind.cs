namespace GradCamSharp.Pipeline;

/// <summary>
/// Runs file writing (PNG encoding, mostly) on the thread pool behind the model's work, at most
/// <see cref="Depth"/> photos' worth at a time, so that memory stays bounded and a slow disk slows the run instead of
/// filling memory. A write's failure surfaces at the next <see cref="Enqueue"/> or at <see cref="Drain"/>.
/// </summary>
internal sealed class WriteBehind : IDisposable
{
    private readonly Queue<Task> _pending = new();

    /// <summary>The most writes running or waiting at once.</summary>
    public int Depth { get; init; } = 2;

    /// <summary>
    /// Starts <paramref name="write"/>, first waiting for the oldest write if <see cref="Depth"/> run.
    /// </summary>
    public void Enqueue(Action write)
    {
        ArgumentNullException.ThrowIfNull(write);
        while (_pending.Count >= Depth) _pending.Dequeue().GetAwaiter().GetResult();
        _pending.Enqueue(Task.Run(write));
    }

    /// <summary>
    /// Waits for every write, failed or not (so that none still runs when this returns), then throws the first
    /// failure.
    /// </summary>
    public void Drain()
    {
        Task[] pending = [.. _pending];
        _pending.Clear();
        Task.WhenAll(pending).GetAwaiter().GetResult();
    }

    /// <summary>Waits for every write without throwing (a failed run has reported its own error).</summary>
    public void Dispose()
    {
        try
        {
            Drain();
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException
            or InvalidOperationException)
        {
            // Reported by the run's own failure.
        }
    }
}
