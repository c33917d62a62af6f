using GradCamSharp.Pipeline;
using SkiaSharp;
using GradCamSharp.Catalog;

namespace GradCamSharp.Web;

/// <summary>
/// Batches explain requests that wait for the model together: every request joins under a key for the model work it
/// asks for (<see cref="ExplanationSettings.ModelWorkKey"/>); the first of them to get its turn takes the others with
/// the same key (up to <see cref="MaxBatch"/>) and explains them all in one pass, and the rest find their maps ready
/// when their own turn comes, which they then give up at once. Nobody waits on purpose: a request alone is explained
/// alone, and requests batch exactly when they queue behind one another. A batch that fails hands its other requests
/// back, to be explained in their own turns; a request whose caller leaves while a batch reads its photo keeps the
/// photo until the pass ends.
/// </summary>
/// <param name="maxBatch">The most photos in one pass (it bounds the pass's memory).</param>
internal sealed class ExplainBatches(int maxBatch)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, List<Request>> _waiting = new(StringComparer.Ordinal);

    /// <summary>The most photos in one pass.</summary>
    public int MaxBatch { get; } = maxBatch >= 1 ? maxBatch
        : throw new ArgumentOutOfRangeException(nameof(maxBatch), "a batch holds at least one photo");

    /// <summary>Passes that explained more than one photo.</summary>
    public long Batched => Interlocked.Read(ref _batched);

    private long _batched;

    /// <summary>Joins the requests waiting with <paramref name="key"/> (null: never batched).</summary>
    public Request Join(string? key, SKBitmap photo)
    {
        ArgumentNullException.ThrowIfNull(photo);
        var request = new Request(key, photo);
        if (key is null) return request;
        lock (_gate)
        {
            if (!_waiting.TryGetValue(key, out List<Request>? waiting)) _waiting[key] = waiting = [];
            waiting.Add(request);
        }
        return request;
    }

    /// <summary>
    /// The batch <paramref name="request"/> leads now that its turn has come: itself first, then others waiting with
    /// its key; empty when an earlier batch already explained it.
    /// </summary>
    public IReadOnlyList<Request> Take(Request request)
    {
        ArgumentNullException.ThrowIfNull(request);
        lock (_gate)
        {
            if (request.Result is not null) return [];
            if (request.Key is null) return [request];
            List<Request> waiting = _waiting[request.Key];
            List<Request> batch = [request, .. waiting.Where(r => r != request).Take(MaxBatch - 1)];
            var settled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            foreach (Request taken in batch)
            {
                waiting.Remove(taken);
                taken.InBatch = settled;
            }
            if (waiting.Count == 0) _waiting.Remove(request.Key);
            if (batch.Count > 1) Interlocked.Increment(ref _batched);
            return batch;
        }
    }

    /// <summary>Records what a batch found for one of its requests.</summary>
    public void Complete(Request request, IReadOnlyList<RankedClass> ranking, ExplainedPhoto maps)
    {
        ArgumentNullException.ThrowIfNull(request);
        lock (_gate) request.Result = (ranking, maps);
    }

    /// <summary>
    /// Ends a batch's pass: its requests' photos are no longer read, and, if the pass failed, the unexplained ones go
    /// back to wait for their own turns.
    /// </summary>
    public void Settle(IReadOnlyList<Request> batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        TaskCompletionSource? settled;
        lock (_gate)
        {
            settled = batch.Count > 0 ? batch[0].InBatch : null;
            foreach (Request request in batch)
            {
                request.InBatch = null;
                if (request == batch[0] || request.Key is null || request.Result is not null || request.Left) continue;
                if (!_waiting.TryGetValue(request.Key, out List<Request>? waiting))
                    _waiting[request.Key] = waiting = [];
                waiting.Add(request);
            }
        }
        settled?.TrySetResult();
    }

    /// <summary>
    /// Stops <paramref name="request"/> being taken into a batch (it finished, or its caller left); the returned task
    /// ends once no batch reads its photo any more, so that the caller may then dispose of it.
    /// </summary>
    public Task LeaveAsync(Request request)
    {
        ArgumentNullException.ThrowIfNull(request);
        lock (_gate)
        {
            request.Left = true;
            if (request.Key is not null && _waiting.TryGetValue(request.Key, out List<Request>? waiting))
            {
                waiting.Remove(request);
                if (waiting.Count == 0) _waiting.Remove(request.Key);
            }
            return request.InBatch?.Task ?? Task.CompletedTask;
        }
    }

    /// <summary>One waiting photo, and its ranking and maps once a batch has explained it.</summary>
    public sealed class Request(string? key, SKBitmap photo)
    {
        /// <summary>The model work it asks for; null: never batched.</summary>
        public string? Key { get; } = key;

        /// <summary>The decoded photo.</summary>
        public SKBitmap Photo { get; } = photo;

        /// <summary>Its five best classes and its maps, once explained.</summary>
        public (IReadOnlyList<RankedClass> Ranking, ExplainedPhoto Maps)? Result { get; internal set; }

        /// <summary>Whether it no longer waits (finished or abandoned): a failed batch does not hand it back.</summary>
        internal bool Left { get; set; }

        /// <summary>Set while a batch's pass reads its photo; completed when the pass ends.</summary>
        internal TaskCompletionSource? InBatch { get; set; }
    }
}
