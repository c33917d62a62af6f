using GradCamSharp.Maps;
using SkiaSharp;

namespace GradCamSharp.Imaging.Tests;

public sealed class PreprocessingTests
{
    private static SKBitmap Solid(int width, int height, SKColor color)
    {
        var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Unpremul));
        bitmap.Erase(color);
        return bitmap;
    }

    [Fact]
    public void Prepare_ImageNet_NormalisesEachChannelInRgbOrder()
    {
        using SKBitmap image = Solid(50, 30, new SKColor(255, 128, 0));
        PreparedImage prepared = ImagePreprocessor.Prepare(image, KnownPreprocessing.ImageNet);
        int plane = 224 * 224;
        Assert.Equal(3 * plane, prepared.Values.Length);
        Assert.Equal((1f - 0.485f) / 0.229f, prepared.Values[0], 4);
        Assert.Equal((128 / 255f - 0.456f) / 0.224f, prepared.Values[plane + 1000], 4);
        Assert.Equal((0f - 0.406f) / 0.225f, prepared.Values[2 * plane + 5000], 4);
    }

    [Fact]
    public void Prepare_CaffeStyle_IsBgrWithoutScaling()
    {
        using SKBitmap image = Solid(10, 10, new SKColor(200, 100, 50));
        PreparedImage prepared = ImagePreprocessor.Prepare(image, KnownPreprocessing.ImageNetCaffe);
        int plane = 224 * 224;
        Assert.Equal(50f - 103.939f, prepared.Values[0], 3);
        Assert.Equal(100f - 116.779f, prepared.Values[plane], 3);
        Assert.Equal(200f - 123.68f, prepared.Values[2 * plane], 3);
    }

    [Fact]
    public void Prepare_TextLine_KeepsAspectAndPadsRightWithZeros()
    {
        using SKBitmap image = Solid(48, 24, SKColors.White);   // aspect 2: 96 of 192 columns
        PreparedImage prepared = ImagePreprocessor.Prepare(image, KnownPreprocessing.PaddleOcrTextLine);
        Assert.Equal((96, 48), (prepared.ContentWidth, prepared.ContentHeight));
        Assert.Equal(1f, prepared.Values[10 * 192 + 50], 4);    // (255/255 - 0.5) / 0.5
        Assert.Equal(0f, prepared.Values[10 * 192 + 150]);      // padding

        var map = new Heatmap(192, 48, Enumerable.Range(0, 192 * 48).Select(i => i % 192 < 96 ? 1f : 0f).ToArray());
        Heatmap onPhoto = prepared.ToOriginal(map);
        Assert.Equal((48, 24), (onPhoto.Width, onPhoto.Height));
        Assert.All(onPhoto.Values, v => Assert.Equal(1f, v));   // the padding does not reach the photo
    }

    [SkippableFact]
    public void Prepare_DogPhoto_IsCloseToTorchVisionsBilinearResize()
    {
        // The golden input was made with PIL's antialiased bilinear resize; ours samples with mipmaps.
        float[] golden = SharedFixtures.ReadFloats(SharedFixtures.Require("fixtures/golden/resnet18.input.f32"));
        using SKBitmap dog = ImageLoader.Load(SharedFixtures.Require("images/dog.jpg"));
        float[] ours = ImagePreprocessor.Prepare(dog, KnownPreprocessing.ImageNet).Values;
        double meanAbsolute = golden.Zip(ours, (g, o) => Math.Abs(g - o)).Average();
        Assert.True(meanAbsolute < 0.1, $"mean |difference| {meanAbsolute:0.000} (in standard deviations)");
    }
}
