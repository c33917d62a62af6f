using SkiaSharp;

namespace GradCamSharp.Imaging.Tests;

public sealed class ImageLoaderTests
{
    /// <summary>A 4x2 JPEG whose left half is red and right half blue, tagged with an EXIF orientation.</summary>
    private static byte[] JpegWithOrientation(ushort orientation)
    {
        using var bitmap = new SKBitmap(new SKImageInfo(40, 20, SKColorType.Rgba8888, SKAlphaType.Unpremul));
        using (var canvas = new SKCanvas(bitmap))
        {
            canvas.Clear(SKColors.Blue);
            using var red = new SKPaint { Color = SKColors.Red };
            canvas.DrawRect(0, 0, 20, 20, red);
        }
        byte[] jpeg = bitmap.Encode(SKEncodedImageFormat.Jpeg, 95).ToArray();
        // APP1 "Exif\0\0" + little-endian TIFF header + one IFD entry: tag 0x0112 (Orientation), SHORT, count 1.
        byte[] tiff =
        [
            (byte)'I', (byte)'I', 42, 0, 8, 0, 0, 0,
            1, 0,
            0x12, 0x01, 3, 0, 1, 0, 0, 0, (byte)orientation, 0, 0, 0,
            0, 0, 0, 0,
        ];
        byte[] payload = [.. "Exif\0\0"u8.ToArray(), .. tiff];
        int length = payload.Length + 2;
        byte[] segment = [0xFF, 0xE1, (byte)(length >> 8), (byte)length, .. payload];
        return [.. jpeg[..2], .. segment, .. jpeg[2..]];
    }

    [Theory]
    [InlineData(1, 40, 20, 5, 10, 255, 0)]   // as stored: red on the left
    [InlineData(3, 40, 20, 5, 10, 0, 255)]   // turned 180 degrees: blue on the left
    [InlineData(6, 20, 40, 10, 5, 255, 0)]   // turned 90 degrees clockwise: red on top
    [InlineData(8, 20, 40, 10, 5, 0, 255)]   // turned 90 degrees counter-clockwise: blue on top
    public void Decode_ExifOrientation_IsApplied(ushort orientation, int width, int height, int x, int y, int red,
        int blue)
    {
        using SKBitmap image = ImageLoader.Decode(JpegWithOrientation(orientation), "test.jpg");
        Assert.Equal(width, image.Width);
        Assert.Equal(height, image.Height);
        SKColor pixel = image.GetPixel(x, y);
        Assert.InRange(pixel.Red, red - 40, red + 40);
        Assert.InRange(pixel.Blue, blue - 40, blue + 40);
    }

    [Theory]
    [InlineData(SKEncodedImageFormat.Png)]
    [InlineData(SKEncodedImageFormat.Webp)]
    [InlineData(SKEncodedImageFormat.Jpeg)]
    public void Decode_CommonFormats(SKEncodedImageFormat format)
    {
        using var bitmap = new SKBitmap(7, 5);
        bitmap.Erase(SKColors.Green);
        using SKBitmap decoded = ImageLoader.Decode(bitmap.Encode(format, 100).ToArray());
        Assert.Equal((7, 5), (decoded.Width, decoded.Height));
        Assert.InRange(decoded.GetPixel(3, 2).Green, 100, 140);
    }

    [Fact]
    public void Decode_Bmp()
    {
        // A 2x1 24-bit BMP: one blue pixel, one white.
        byte[] bmp =
        [
            (byte)'B', (byte)'M', 62, 0, 0, 0, 0, 0, 0, 0, 54, 0, 0, 0,
            40, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 1, 0, 24, 0, 0, 0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                0, 0, 0, 0, 0,
            255, 0, 0, 255, 255, 255, 0, 0,
        ];
        using SKBitmap decoded = ImageLoader.Decode(bmp);
        Assert.Equal(SKColors.Blue, decoded.GetPixel(0, 0));
        Assert.Equal(SKColors.White, decoded.GetPixel(1, 0));
    }

    [Fact]
    public async Task StreamsAndAsyncCalls_GiveTheSamePixels_AsFiles()
    {
        using var folder = new TempFolder();
        string dog = SharedFixtures.Sample("dog.jpg");
        using SKBitmap fromFile = ImageLoader.Load(dog);
        using (FileStream stream = File.OpenRead(dog))
        {
            using SKBitmap fromStream = ImageLoader.Load(stream, "dog.jpg");
            Assert.Equal(fromFile.Bytes, fromStream.Bytes);
        }
        using (SKBitmap fromTask = await ImageLoader.LoadAsync(dog))
            Assert.Equal(fromFile.Bytes, fromTask.Bytes);

        using var png = new MemoryStream();
        PngFile.Save(fromFile, png);
        png.Position = 0;
        using (SKBitmap again = ImageLoader.Load(png, "in memory"))
            Assert.Equal(fromFile.Bytes, again.Bytes);
        await PngFile.SaveAsync(fromFile, folder["async.png"]);
        using (SKBitmap written = ImageLoader.Load(folder["async.png"]))
            Assert.Equal(fromFile.Bytes, written.Bytes);

        using var writeOnly = new FileStream(folder["w.bin"], FileMode.Create, FileAccess.Write);
        Assert.Throws<ImageLoadException>(() => ImageLoader.Load(writeOnly, "w.bin"));
        await Assert.ThrowsAsync<ImageLoadException>(() => ImageLoader.LoadAsync(folder["absent.jpg"]));
    }

    [Fact]
    public void AFifoOrAnEmptyFile_IsRefusedAtOnce_NotWaitedOn()
    {
        using var folder = new TempFolder();
        using (var mkfifo = System.Diagnostics.Process.Start("mkfifo", [folder["pipe.jpg"]])) mkfifo.WaitForExit();
        File.WriteAllBytes(folder["empty.jpg"], []);
        foreach (string path in new[] { folder["pipe.jpg"], folder["empty.jpg"] })
        {
            Assert.Contains("not an ordinary file", Assert.Throws<ImageLoadException>(() => ImageLoader.Probe(path))
                .Message);
            Assert.Throws<ImageLoadException>(() => ImageLoader.Load(path));
            Assert.False(ImageLoader.HasImageSignature(path));
        }
    }

    [Fact]
    public void Load_MissingOrCorrupt_SaysWhich()
    {
        string missing = Path.Combine(Path.GetTempPath(), $"absent-{Guid.NewGuid():N}.jpg");
        Assert.Contains("not found", Assert.Throws<ImageLoadException>(() => ImageLoader.Load(missing)).Message);
        string corrupt = Path.GetTempFileName();
        File.WriteAllText(corrupt, "not an image");
        try
        {
            Assert.Contains("not a supported image",
                Assert.Throws<ImageLoadException>(() => ImageLoader.Load(corrupt)).Message);
            Assert.Throws<ImageLoadException>(() => ImageLoader.Probe(corrupt));
        }
        finally
        {
            File.Delete(corrupt);
        }
    }
}
