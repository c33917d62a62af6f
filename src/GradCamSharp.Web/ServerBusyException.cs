namespace GradCamSharp.Web;

/// <summary>The model's queue is full: 503 with Retry-After.</summary>
internal sealed class ServerBusyException(int capacity, int retryAfterSeconds)
    : Exception($"the server is busy ({capacity} requests already wait for the model); try again in " +
        $"{retryAfterSeconds} s")
{
    /// <summary>Seconds after which a retry is sensible.</summary>
    public int RetryAfterSeconds { get; } = retryAfterSeconds;
}
