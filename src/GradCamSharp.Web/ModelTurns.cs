namespace GradCamSharp.Web;

/// <summary>
/// Takes turns on the model: explanations install hooks on the shared model and TorchSharp's dispose scopes belong to
/// a thread, so one request works at a time while at most <see cref="Capacity"/> wait. Beyond that a request is
/// refused at once (<see cref="ServerBusyException"/>); each has a time limit, waiting included
/// (<see cref="RequestTimeoutException"/>); a caller that goes away cancels its work.
/// </summary>
public sealed class ModelTurns(int capacity, TimeSpan timeLimit) : IDisposable
{
    private readonly SemaphoreSlim _turn = new(1, 1);
    private int _pending;
    private long _completed;
    private long _cancelled;
    private long _rejected;

    /// <summary>How many requests may wait while one works.</summary>
    public int Capacity { get; } = capacity;

    /// <summary>The longest one request may take, waiting included.</summary>
    public TimeSpan TimeLimit { get; } = timeLimit;

    /// <summary>Requests waiting or working.</summary>
    public int Pending => Volatile.Read(ref _pending);

    /// <summary>Whether a request is working on the model now.</summary>
    public bool Busy => _turn.CurrentCount == 0;

    /// <summary>Requests that finished their work.</summary>
    public long Completed => Interlocked.Read(ref _completed);

    /// <summary>Requests stopped because their caller went away or their time ran out.</summary>
    public long Cancelled => Interlocked.Read(ref _cancelled);

    /// <summary>Requests refused because the queue was full.</summary>
    public long Rejected => Interlocked.Read(ref _rejected);

    /// <summary>
    /// Waits for the model, then runs <paramref name="work"/> on it with a token that fires when the caller goes away
    /// or the time limit passes (long methods stop between batches).
    /// </summary>
    /// <exception cref="ServerBusyException">The queue is full.</exception>
    /// <exception cref="RequestTimeoutException">The time limit passed.</exception>
    /// <exception cref="OperationCanceledException">The caller went away.</exception>
    public async Task<T> RunAsync<T>(Func<CancellationToken, T> work, CancellationToken callerGone)
    {
        ArgumentNullException.ThrowIfNull(work);
        if (Interlocked.Increment(ref _pending) > Capacity + 1)
        {
            Interlocked.Decrement(ref _pending);
            Interlocked.Increment(ref _rejected);
            throw new ServerBusyException(Capacity, RetryAfterSeconds);
        }
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(callerGone);
        limit.CancelAfter(TimeLimit);
        try
        {
            await _turn.WaitAsync(limit.Token).ConfigureAwait(false);
            try
            {
                limit.Token.ThrowIfCancellationRequested();
                T result = work(limit.Token);
                Interlocked.Increment(ref _completed);
                return result;
            }
            finally
            {
                _turn.Release();
            }
        }
        catch (OperationCanceledException) when (limit.IsCancellationRequested)
        {
            Interlocked.Increment(ref _cancelled);
            if (callerGone.IsCancellationRequested) throw;
            throw new RequestTimeoutException(TimeLimit, RetryAfterSeconds);
        }
        finally
        {
            Interlocked.Decrement(ref _pending);
        }
    }

    /// <summary>
    /// When a refused caller should try again: the queue's length in seconds (a typical request takes about one),
    /// at least one.
    /// </summary>
    private int RetryAfterSeconds => Math.Max(1, Pending);

    /// <inheritdoc />
    public void Dispose() => _turn.Dispose();
}
