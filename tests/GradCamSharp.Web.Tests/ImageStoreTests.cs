using SkiaSharp;

namespace GradCamSharp.Web.Tests;

/// <summary>The image store keeps recent pictures as PNG, and no more than its capacity and lifetime allow.</summary>
public sealed class ImageStoreTests
{
    private static SKBitmap Noise(int seed)
    {
        var random = new Random(seed);
        var bitmap = new SKBitmap(64, 64);
        for (int y = 0; y < 64; y++)
        {
            for (int x = 0; x < 64; x++)
                bitmap.SetPixel(x, y,
                    new SKColor((byte)random.Next(256), (byte)random.Next(256), (byte)random.Next(256)));
        }
        return bitmap;
    }

    private static string Id(string url) => url[(ImageStore.Route.Length + 1)..^".png".Length];

    [Fact]
    public void Add_ServesThePicture_AndDropsTheOldestBeyondCapacity()
    {
        using SKBitmap first = Noise(1), second = Noise(2), third = Noise(3);
        var probe = new ImageStore();
        int size = probe.Get(Id(probe.Add(first)))!.Length;
        // Room for two noise images (each about the same size), not three.
        var store = new ImageStore { CapacityBytes = size * 2 + size / 2 };

        string a = store.Add(first), b = store.Add(second);
        using (SKBitmap decoded = SKBitmap.Decode(store.Get(Id(a))))
            Assert.Equal(first.GetPixel(10, 20), decoded.GetPixel(10, 20));
        Assert.NotNull(store.Get(Id(b)));

        string c = store.Add(third);
        Assert.Null(store.Get(Id(a)));
        Assert.NotNull(store.Get(Id(b)));
        Assert.NotNull(store.Get(Id(c)));
        Assert.Null(store.Get("nothing"));
    }

    [Fact]
    public void Get_ForgetsPicturesPastTheirLifetime()
    {
        using SKBitmap picture = Noise(4);
        var store = new ImageStore { Lifetime = TimeSpan.Zero };
        string url = store.Add(picture);
        Assert.Null(store.Get(Id(url)));
    }
}
