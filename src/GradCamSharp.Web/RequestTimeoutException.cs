namespace GradCamSharp.Web;

/// <summary>A request ran out of time: 503 with Retry-After.</summary>
internal sealed class RequestTimeoutException(TimeSpan limit, int retryAfterSeconds)
    : Exception($"the request took longer than its limit of {limit.TotalSeconds:0.#} s and was stopped")
{
    /// <summary>Seconds after which a retry is sensible.</summary>
    public int RetryAfterSeconds { get; } = retryAfterSeconds;
}
