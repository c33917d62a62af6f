using System.Collections.Concurrent;
using GradCamSharp.Imaging;
using SkiaSharp;

namespace GradCamSharp.Web;

/// <summary>
/// The maps and panels of recent responses, served as binary PNG resources (<c>GET /api/images/ID.png</c>) rather than
/// base64 inside the JSON, which made a four-map response 3 MB of text to build, send and parse. Bounded: the oldest
/// images go first once the store holds more than <see cref="CapacityBytes"/>, and none outlives
/// <see cref="Lifetime"/>.
/// </summary>
internal sealed class ImageStore
{
    /// <summary>The path images are served under.</summary>
    public const string Route = "/api/images";

    private readonly ConcurrentDictionary<string, (byte[] Png, DateTime Added)> _images = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> _order = new();
    private long _bytes;

    /// <summary>The most bytes kept (default 256 MB).</summary>
    public long CapacityBytes { get; init; } = 256L << 20;

    /// <summary>How long an image stays available (default 10 minutes).</summary>
    public TimeSpan Lifetime { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Encodes <paramref name="bitmap"/> as PNG, keeps it, and returns its URL.</summary>
    public string Add(SKBitmap bitmap)
    {
        byte[] png = PngFile.Encode(bitmap);
        string id = Guid.NewGuid().ToString("N");
        _images[id] = (png, DateTime.UtcNow);
        _order.Enqueue(id);
        Interlocked.Add(ref _bytes, png.Length);
        Evict();
        return $"{Route}/{id}.png";
    }

    /// <summary>The PNG called <paramref name="id"/>, or null when it never existed or has gone.</summary>
    public byte[]? Get(string id)
    {
        Evict();
        return _images.TryGetValue(id, out var image) ? image.Png : null;
    }

    private void Evict()
    {
        DateTime expired = DateTime.UtcNow - Lifetime;
        while (_order.TryPeek(out string? oldest) && _images.TryGetValue(oldest, out var image)
            && (Interlocked.Read(ref _bytes) > CapacityBytes || image.Added < expired))
        {
            if (!_order.TryDequeue(out string? id)) break;
            if (_images.TryRemove(id, out var removed)) Interlocked.Add(ref _bytes, -removed.Png.Length);
        }
    }
}
