using GradCamSharp.Imaging;

namespace GradCamSharp.Web;

/// <summary>
/// What the service accepts and how much work it takes on: <c>gradcam serve</c>'s options, or the configuration
/// section <see cref="Section"/> (<c>GradCam__MaxUploadMegabytes=50</c> in the environment).
/// </summary>
public sealed record WebLimits
{
    /// <summary>The configuration section.</summary>
    public const string Section = "GradCam";

    /// <summary>Room for a multipart form's fields and boundaries around its image.</summary>
    public const long FormOverheadBytes = 64 * 1024;

    /// <summary>The largest upload, in MB (1 MB = 2^20 bytes); larger ones get 413 before their body is read.</summary>
    public int MaxUploadMegabytes { get; init; } = 10;

    /// <summary>The most pixels an upload may decode to (checked from its header); more gets 400.</summary>
    public double MaxMegapixels { get; init; } = ImageDecodeOptions.DefaultMaxPixels / 1e6;

    /// <summary>How many requests may wait for the model while one is served; more get 503 with Retry-After.</summary>
    public int QueueCapacity { get; init; } = 32;

    /// <summary>
    /// How many requests may decode an upload or draw their maps at once (2 by default): the work whose memory grows
    /// with an image's pixels (a 40-megapixel PNG takes 160 MB to decode), bounded whatever the number of clients.
    /// </summary>
    public int ImageWorkers { get; init; } = 2;

    /// <summary>
    /// The memory the maps and panels of recent responses may take, in MB (256 by default): the oldest go first (see
    /// <see cref="ImageStore"/>).
    /// </summary>
    public int ImageStoreMegabytes { get; init; } = 256;

    /// <summary>The most connections the server keeps open at once; more wait in the system's backlog.</summary>
    public const int MaxConnections = 256;

    /// <summary>
    /// What the server buffers of one connection's request before the endpoint reads it (Kestrel's default is 1 MB).
    /// </summary>
    public const int RequestBufferBytes = 64 * 1024;

    /// <summary>The longest a request may take, waiting included, in seconds; longer ones get 503.</summary>
    public double RequestTimeoutSeconds { get; init; } = 120;

    /// <summary><see cref="MaxUploadMegabytes"/> in bytes.</summary>
    public long MaxUploadBytes => MaxUploadMegabytes * 1024L * 1024L;

    /// <summary>The largest request body: an upload of <see cref="MaxUploadBytes"/> and its form.</summary>
    public long MaxRequestBytes => MaxUploadBytes + FormOverheadBytes;

    /// <summary>How uploads are decoded: within the pixel limit, downscaled to the default output size.</summary>
    public ImageDecodeOptions Decoding =>
        new ImageDecodeOptions { MaxPixels = (long)(MaxMegapixels * 1e6) }.Validated();

    /// <summary>Throws when a limit makes no sense.</summary>
    /// <exception cref="UsageException">A limit that is not positive.</exception>
    public WebLimits Validated()
    {
        if (MaxUploadMegabytes < 1) throw new UsageException($"the upload limit must be at least 1 MB, got " +
            $"{MaxUploadMegabytes}");
        if (!(MaxMegapixels > 0)) throw new UsageException($"the pixel limit must be positive, got {MaxMegapixels}");
        if (QueueCapacity < 0) throw new UsageException($"the queue must hold 0 or more requests, got {QueueCapacity}");
        if (ImageWorkers < 1) throw new UsageException($"at least one image worker is needed, got {ImageWorkers}");
        if (ImageStoreMegabytes < 1) throw new UsageException($"the image store needs at least 1 MB, got " +
            $"{ImageStoreMegabytes}");
        if (!(RequestTimeoutSeconds > 0)) throw new UsageException($"the time limit must be positive, got " +
            $"{RequestTimeoutSeconds}");
        return this;
    }
}
