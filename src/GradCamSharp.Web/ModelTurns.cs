namespace GradCamSharp.Web;

/// <summary>
/// Admits requests and takes turns on the model. A request is admitted before its upload is read (at most
/// <see cref="Capacity"/> waiting and one working; beyond that it is refused at once,
/// <see cref="ServerBusyException"/>),
/// so that what requests hold in memory (an upload, a decoded photo, its maps) is bounded by the same count as the
/// model work. Decoding and drawing, which take memory in proportion to an image's pixels, run at most
/// <see cref="ImageWorkers"/> at a time; the model runs one request at a time (explanations install hooks on the
/// shared model and TorchSharp's dispose scopes belong to a thread). Each request has a time limit from its admission,
/// waiting included (<see cref="RequestTimeoutException"/>); a caller that goes away cancels its work. When the last
/// request leaves, freed native memory goes back to the system (<see cref="NativeHeap.ReleaseFreedMemory"/>).
/// </summary>
internal sealed class ModelTurns : IDisposable
{
    private readonly SemaphoreSlim _turn = new(1, 1);
    private readonly SemaphoreSlim _imageWork;
    private int _pending;
    private long _completed;
    private long _cancelled;
    private long _rejected;

    /// <summary>Takes turns, <paramref name="capacity"/> waiting, each within <paramref name="timeLimit"/>.</summary>
    /// <param name="capacity">How many requests may wait while one works.</param>
    /// <param name="timeLimit">The longest one request may take from its admission.</param>
    /// <param name="imageWorkers">How many requests may decode or draw at once.</param>
    public ModelTurns(int capacity, TimeSpan timeLimit, int imageWorkers = 2)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(capacity);
        ArgumentOutOfRangeException.ThrowIfLessThan(imageWorkers, 1);
        Capacity = capacity;
        TimeLimit = timeLimit;
        ImageWorkers = imageWorkers;
        _imageWork = new SemaphoreSlim(imageWorkers, imageWorkers);
    }

    /// <summary>How many requests may wait while one works.</summary>
    public int Capacity { get; }

    /// <summary>The longest one request may take, waiting included.</summary>
    public TimeSpan TimeLimit { get; }

    /// <summary>How many requests may decode or draw at once.</summary>
    public int ImageWorkers { get; }

    /// <summary>Requests admitted and not yet finished.</summary>
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
    /// Admits one request, or refuses it at once when <see cref="Capacity"/> wait already; the request's time limit
    /// starts now. Dispose the admission when the request is answered.
    /// </summary>
    /// <param name="callerGone">Fires when the caller goes away.</param>
    /// <exception cref="ServerBusyException">The queue is full.</exception>
    public Admission Admit(CancellationToken callerGone)
    {
        if (Interlocked.Increment(ref _pending) > Capacity + 1)
        {
            Interlocked.Decrement(ref _pending);
            Interlocked.Increment(ref _rejected);
            throw new ServerBusyException(Capacity, RetryAfterSeconds);
        }
        return new Admission(this, callerGone);
    }

    /// <summary>
    /// Admits a request that brings no upload, runs <paramref name="work"/> on the model in its turn, and lets it go.
    /// </summary>
    /// <exception cref="ServerBusyException">The queue is full.</exception>
    /// <exception cref="RequestTimeoutException">The time limit passed.</exception>
    /// <exception cref="OperationCanceledException">The caller went away.</exception>
    public async Task<T> RunAsync<T>(Func<CancellationToken, T> work, CancellationToken callerGone)
    {
        ArgumentNullException.ThrowIfNull(work);
        using Admission admission = Admit(callerGone);
        return await admission.OnModelAsync(work).ConfigureAwait(false);
    }

    /// <summary>
    /// When a refused caller should try again: the queue's length in seconds (a typical request takes about one),
    /// at least one.
    /// </summary>
    private int RetryAfterSeconds => Math.Max(1, Pending);

    private void Leave()
    {
        if (Interlocked.Decrement(ref _pending) == 0)
            _ = Task.Run(() => { if (Pending == 0) NativeHeap.ReleaseFreedMemory(); });
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _turn.Dispose();
        _imageWork.Dispose();
    }

    /// <summary>One admitted request: its place in the queue and its time limit.</summary>
    public sealed class Admission : IDisposable
    {
        private readonly ModelTurns _turns;
        private readonly CancellationToken _callerGone;
        private readonly CancellationTokenSource _limit;
        private int _disposed;

        internal Admission(ModelTurns turns, CancellationToken callerGone)
        {
            _turns = turns;
            _callerGone = callerGone;
            _limit = CancellationTokenSource.CreateLinkedTokenSource(callerGone);
            _limit.CancelAfter(turns.TimeLimit);
        }

        /// <summary>Fires when the caller goes away or the time limit passes.</summary>
        public CancellationToken Token => _limit.Token;

        /// <summary>Runs <paramref name="work"/> (decoding, drawing) among at most the image workers.</summary>
        /// <exception cref="RequestTimeoutException">The time limit passed.</exception>
        /// <exception cref="OperationCanceledException">The caller went away.</exception>
        public Task<T> WithImageWorkAsync<T>(Func<T> work)
        {
            ArgumentNullException.ThrowIfNull(work);
            return Guarded(_turns._imageWork, _ => work(), countsAsCompleted: false);
        }

        /// <summary>
        /// Waits for the model, then runs <paramref name="work"/> on it with a token that fires when the caller goes
        /// away or the time limit passes (long methods stop between batches).
        /// </summary>
        /// <exception cref="RequestTimeoutException">The time limit passed.</exception>
        /// <exception cref="OperationCanceledException">The caller went away.</exception>
        public Task<T> OnModelAsync<T>(Func<CancellationToken, T> work)
        {
            ArgumentNullException.ThrowIfNull(work);
            return Guarded(_turns._turn, work, countsAsCompleted: true);
        }

        private async Task<T> Guarded<T>(SemaphoreSlim gate, Func<CancellationToken, T> work, bool countsAsCompleted)
        {
            try
            {
                await gate.WaitAsync(_limit.Token).ConfigureAwait(false);
                try
                {
                    _limit.Token.ThrowIfCancellationRequested();
                    T result = work(_limit.Token);
                    if (countsAsCompleted) Interlocked.Increment(ref _turns._completed);
                    return result;
                }
                finally
                {
                    gate.Release();
                }
            }
            catch (OperationCanceledException) when (_limit.IsCancellationRequested)
            {
                Interlocked.Increment(ref _turns._cancelled);
                if (_callerGone.IsCancellationRequested) throw;
                throw new RequestTimeoutException(_turns.TimeLimit, _turns.RetryAfterSeconds);
            }
        }

        /// <inheritdoc />
        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
            _limit.Dispose();
            _turns.Leave();
        }
    }
}
