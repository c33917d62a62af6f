using SkiaSharp;

namespace GradCamSharp.Imaging.Tests;

public sealed class HostileImageTests
{
    private static byte[] Dog => File.ReadAllBytes(SharedFixtures.Require("images/dog.jpg"));

    private static byte[] Enlarged(int width, int height, SKEncodedImageFormat format)
    {
        using SKBitmap dog = ImageLoader.Decode(Dog);
        using SKBitmap large = ImagePreprocessor.Resize(dog, width, height);
        return large.Encode(format, 90).ToArray();
    }

    [Theory]
    [InlineData(20000, 20000)]
    [InlineData(40000, 40000)]
    public void Decode_DecompressionBomb_IsRefusedFromTheHeaderWithTheNumbers(int width, int height)
    {
        byte[] bomb = HostileImages.PngBomb(width, height);
        Assert.True((double)width * height / bomb.Length > 500, "not a bomb: it does not compress 500 to 1");
        long before = GC.GetTotalAllocatedBytes(precise: true);
        ImageLoadException refused = Assert.Throws<ImageLoadException>(() => ImageLoader.Decode(bomb, "bomb.png"));
        Assert.Equal(ImageLoadFailure.OverPixelLimit, refused.Failure);
        Assert.Contains($"{width}x{height} pixels", refused.Message);
        Assert.Contains("over the limit of 40 megapixels", refused.Message);
        // Nothing near the decoded size (width x height x 4 bytes) was allocated.
        Assert.True(GC.GetTotalAllocatedBytes(precise: true) - before < 50_000_000);
    }

    [Fact]
    public void Probe_DecompressionBomb_IsRefusedToo_AndTheLimitCanBeRaised()
    {
        using var folder = new TempFolder();
        string path = folder["bomb.png"];
        File.WriteAllBytes(path, HostileImages.PngBomb(8000, 6000));
        Assert.Throws<ImageLoadException>(() => ImageLoader.Probe(path));
        (int width, int height) = ImageLoader.Probe(path, new ImageDecodeOptions { MaxPixels = 50_000_000 });
        Assert.Equal((8000, 6000), (width, height));
    }

    [Fact]
    public void Decode_LargeJpegOverThePixelLimit_IsAccepted_AsItDecodesAtAReducedSize()
    {
        byte[] jpeg = Enlarged(8000, 6000, SKEncodedImageFormat.Jpeg);
        using SKBitmap decoded = ImageLoader.Decode(jpeg, "camera.jpg");
        Assert.Equal((2048, 1536), (decoded.Width, decoded.Height));
        // Asked for in full, the same file is over the limit.
        ImageLoadException refused = Assert.Throws<ImageLoadException>(() =>
            ImageLoader.Decode(jpeg, "camera.jpg", new ImageDecodeOptions { MaxSide = 8000 }));
        Assert.Contains("8000x6000 pixels (48 megapixels)", refused.Message);
    }

    [Theory]
    [InlineData(SKEncodedImageFormat.Jpeg, 3000, 2000, 512, 512, 341)]
    [InlineData(SKEncodedImageFormat.Png, 1200, 900, 300, 300, 225)]
    [InlineData(SKEncodedImageFormat.Webp, 900, 1200, 400, 300, 400)]
    [InlineData(SKEncodedImageFormat.Jpeg, 640, 480, 2048, 640, 480)]
    public void Decode_LargePhoto_IsDecodedDownscaledToTheOutputSize(SKEncodedImageFormat format, int width,
        int height, int maxSide, int expectedWidth, int expectedHeight)
    {
        byte[] encoded = Enlarged(width, height, format);
        using SKBitmap decoded = ImageLoader.Decode(encoded, "large", new ImageDecodeOptions { MaxSide = maxSide });
        Assert.Equal(expectedWidth, decoded.Width);
        Assert.Equal(expectedHeight, decoded.Height);
        // The same picture: the downscaled decode agrees with decoding in full and shrinking afterwards.
        using SKBitmap full = ImageLoader.Decode(encoded, "large", new ImageDecodeOptions { MaxSide = 100_000 });
        using SKBitmap reference = ImagePreprocessor.Resize(full, decoded.Width, decoded.Height);
        Assert.True(MeanAbsoluteDifference(decoded, reference) < 8, "the downscaled decode shows another picture");
    }

    [Theory]
    [InlineData("jpg")]
    [InlineData("png")]
    public void Decode_TruncatedFile_IsRefused_UnlessPartialImagesAreAllowed(string kind)
    {
        byte[] whole = kind == "jpg" ? Dog : Enlarged(768, 576, SKEncodedImageFormat.Png);
        byte[] half = HostileImages.Truncated(whole);
        ImageLoadException refused = Assert.Throws<ImageLoadException>(() => ImageLoader.Decode(half, "half"));
        Assert.Equal(ImageLoadFailure.Truncated, refused.Failure);
        Assert.Contains("truncated", refused.Message);
        using SKBitmap partial = ImageLoader.Decode(half, "half", new ImageDecodeOptions { AllowPartial = true });
        Assert.Equal((768, 576), (partial.Width, partial.Height));
    }

    [Fact]
    public void Load_Folder_SaysItIsAFolder()
    {
        using var folder = new TempFolder();
        ImageLoadException refused = Assert.Throws<ImageLoadException>(() => ImageLoader.Load(folder.Path));
        Assert.Contains("is a folder, not an image", refused.Message);
        Assert.Throws<ImageLoadException>(() => ImageLoader.Probe(folder.Path));
    }

    [Fact]
    public void DecodeOptions_NonPositiveLimits_AreUsageErrors()
    {
        Assert.Throws<UsageException>(() => new ImageDecodeOptions { MaxPixels = 0 }.Validated());
        Assert.Throws<UsageException>(() => new ImageDecodeOptions { MaxSide = 8 }.Validated());
    }

    private static double MeanAbsoluteDifference(SKBitmap a, SKBitmap b)
    {
        double sum = 0;
        for (int y = 0; y < a.Height; y++)
        {
            for (int x = 0; x < a.Width; x++)
            {
                SKColor p = a.GetPixel(x, y), q = b.GetPixel(x, y);
                sum += (Math.Abs(p.Red - q.Red) + Math.Abs(p.Green - q.Green) + Math.Abs(p.Blue - q.Blue)) / 3.0;
            }
        }
        return sum / (a.Width * a.Height);
    }

    [Fact]
    public void AJpegWhoseHeaderClaimsMoreThanItsDataHolds_IsTruncated_NotAGreyImage()
    {
        byte[] lying = HostileImages.LyingJpegHeader(Dog, 6000, 6000);
        ImageLoadException refused = Assert.Throws<ImageLoadException>(() => ImageLoader.Decode(lying, "lying.jpg"));
        Assert.Equal(ImageLoadFailure.Truncated, refused.Failure);
        using SKBitmap partial = ImageLoader.Decode(lying, "lying.jpg", ImageDecodeOptions.Default with
        {
            AllowPartial = true,
        });
        Assert.True(partial.Width > 0);
    }

    [Theory]
    [InlineData(1, 64, 64)]
    [InlineData(1, 4000, 3000)]
    [InlineData(50, 999, 17)]
    [InlineData(100, 320, 240)]
    public void JpegsThatHoldTheirImage_AreNeverCutShort_EvenFlatOnesAtTheLowestQuality(int quality, int width,
        int height)
    {
        using var flat = new SKBitmap(width, height);
        flat.Erase(new SKColor(128, 128, 128));
        byte[] jpeg = flat.Encode(SKEncodedImageFormat.Jpeg, quality).ToArray();
        Assert.False(JpegScanLength.IsCutShort(jpeg));
        using SKBitmap decoded = ImageLoader.Decode(jpeg, "flat.jpg");
        foreach (string photo in Directory.EnumerateFiles(SharedFixtures.Samples, "*.jpg"))
            Assert.False(JpegScanLength.IsCutShort(File.ReadAllBytes(photo)), photo);
    }
}
