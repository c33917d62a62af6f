using GradCamSharp.Imaging;

namespace GradCamSharp.Web;

/// <summary>
/// What the demo accepts, from the configuration section <see cref="Section"/> (appsettings.json, or the environment:
/// <c>GradCam__MaxUploadMegabytes=50</c>, <c>GradCam__MaxMegapixels=80</c>).
/// </summary>
public sealed record WebLimits
{
    /// <summary>The configuration section.</summary>
    public const string Section = "GradCam";

    /// <summary>The largest upload, in MB (1 MB = 2^20 bytes); larger ones get 413.</summary>
    public int MaxUploadMegabytes { get; init; } = 20;

    /// <summary>The most pixels an upload may decode to (checked from its header); more gets 400.</summary>
    public double MaxMegapixels { get; init; } = ImageDecodeOptions.DefaultMaxPixels / 1e6;

    /// <summary><see cref="MaxUploadMegabytes"/> in bytes.</summary>
    public long MaxUploadBytes => MaxUploadMegabytes * 1024L * 1024L;

    /// <summary>How uploads are decoded: within the pixel limit, downscaled to the default output size.</summary>
    public ImageDecodeOptions Decoding =>
        new ImageDecodeOptions { MaxPixels = (long)(MaxMegapixels * 1e6) }.Validated();
}
