using GradCamSharp.Maps;
using SkiaSharp;

namespace GradCamSharp.Imaging.Tests;

public sealed class RenderingTests
{
    [Fact]
    public void OverlayOfAnExplanation_IsItsMapPlacedBackOnThePhoto_InOneCall()
    {
        using var photo = new SKBitmap(64, 48);
        photo.Erase(new SKColor(200, 120, 40));
        PreparedImage prepared = ImagePreprocessor.Prepare(photo, KnownPreprocessing.ImageNet);
        var map = new Heatmap(224, 224, [.. Enumerable.Range(0, 224 * 224).Select(i => i % 224 / 223f)]);
        var explanation = new Explanation
        {
            Method = "gradcam", Layer = "l", SampleIndex = 0, TargetName = "top-1", Score = 1, Heatmap = map,
        };

        using SKBitmap once = Renderer.Overlay(photo, prepared, explanation);
        using SKBitmap byHand = Renderer.Overlay(photo, prepared.ToOriginal(map), KnownColormaps.Jet);

        Assert.Equal(byHand.GetPixelSpan().ToArray(), once.GetPixelSpan().ToArray());
        using var other = new SKBitmap(32, 32);
        Assert.Throws<ArgumentException>(() => Renderer.Overlay(other, prepared, explanation));
    }

    [Fact]
    public void ADisposedBitmap_IsAnObjectDisposedException_NeverACrash()
    {
        var photo = new SKBitmap(8, 8);
        photo.Dispose();
        var map = new Heatmap(8, 8, new float[64]);

        Assert.Throws<ObjectDisposedException>(() => Renderer.Overlay(photo, map, KnownColormaps.Jet));
        Assert.Throws<ObjectDisposedException>(() => ImagePreprocessor.Prepare(photo, KnownPreprocessing.ImageNet));
        Assert.Throws<ObjectDisposedException>(() => PngFile.Encode(photo));
        Assert.Throws<ObjectDisposedException>(() => PngFile.Save(photo, Path.Combine(Path.GetTempPath(), "x.png")));
    }

    [Fact]
    public void Jet_RunsFromDarkBlueThroughGreenToDarkRed()
    {
        IColormap jet = KnownColormaps.Jet;
        Assert.Equal(new SKColor(0, 0, 128), jet.Map(0f));
        SKColor cyan = jet.Map(0.375f);
        Assert.True(cyan.Red < 8 && cyan.Green > 250 && cyan.Blue > 250, $"jet(0.375) = {cyan}");
        Assert.Equal(new SKColor(128, 0, 0), jet.Map(1f));
        Assert.Equal(jet.Map(1f), jet.Map(7f));
    }

    // Reference colours of matplotlib's viridis and Google's turbo tables at 0, 0.5 and 1. Both maps are polynomial
    // fits: viridis to within a few levels, turbo (Google's own approximation) to within about 0.08 per channel.
    [Theory]
    [InlineData("viridis", 0f, 68, 1, 84, 24)]
    [InlineData("viridis", 0.5f, 33, 145, 140, 24)]
    [InlineData("viridis", 1f, 253, 231, 37, 24)]
    [InlineData("turbo", 0f, 48, 18, 59, 60)]
    [InlineData("turbo", 0.5f, 164, 252, 60, 60)]
    [InlineData("turbo", 1f, 122, 4, 3, 60)]
    public void Colormaps_FollowTheirReferenceTables(string name, float value, int red, int green, int blue,
        int tolerance)
    {
        SKColor color = KnownColormaps.Get(name).Map(value);
        int error = Math.Abs(color.Red - red) + Math.Abs(color.Green - green) + Math.Abs(color.Blue - blue);
        Assert.True(error <= tolerance, $"{name}({value}) = {color}, reference ({red}, {green}, {blue})");
    }

    [Fact]
    public void Colormaps_UnknownName_ListsTheKnownOnes() =>
        Assert.Contains("viridis", Assert.Throws<UsageException>(() => KnownColormaps.Get("rainbow")).Message);

    [Fact]
    public void Overlay_BlendsPhotoAndColourHalfAndHalf()
    {
        using var photo = new SKBitmap(new SKImageInfo(4, 4, SKColorType.Rgba8888, SKAlphaType.Unpremul));
        photo.Erase(new SKColor(200, 200, 200));
        using SKBitmap overlay = Renderer.Overlay(photo, new Heatmap(4, 4, new float[16]), KnownColormaps.Jet);
        Assert.Equal(new SKColor(100, 100, 164), overlay.GetPixel(1, 1));
        Assert.Throws<ArgumentException>(() => Renderer.Overlay(photo, new Heatmap(2, 2, new float[4]),
            KnownColormaps.Jet));
    }

    [Fact]
    public void Panel_PlacesTilesSideBySideAtTheRequestedHeight()
    {
        using var square = new SKBitmap(100, 100);
        using var wide = new SKBitmap(200, 100);
        using SKBitmap panel =
            Panel.Compose([new PanelTile(square, "a", "b"), new PanelTile(wide, "c", "d")], tileSize: 64);
        Assert.Equal(64 + 128 + 3 * 8, panel.Width);
        Assert.True(panel.Height > 64);
    }

    [Fact]
    public void Panel_StacksVeryWidePicturesInAColumn()
    {
        using var line = new SKBitmap(400, 40);
        using SKBitmap panel = Panel.Compose([new PanelTile(line, "a"), new PanelTile(line, "b")], tileSize: 64);
        Assert.Equal(3 * 64 + 2 * 8, panel.Width);
        Assert.True(panel.Height > 2 * (3 * 64 * 40 / 400), $"height {panel.Height}");
    }

    [Fact]
    public void Attribution_IsCentredOnGreyAndScaledByItsSpread()
    {
        var values = new float[3 * 4 * 4];
        values[5] = 1f;                                      // one strong positive red gradient
        var prepared =
            ImagePreprocessor.Prepare(new SKBitmap(4, 4), KnownPreprocessing.Unit with { Width = 4, Height = 4 });
        using SKBitmap image = Renderer.Attribution(new Attribution(3, 4, 4, values), prepared);
        SKColor hot = image.GetPixel(1, 1), calm = image.GetPixel(3, 3);
        Assert.True(hot.Red > 200, $"hot pixel {hot}");
        Assert.InRange(calm.Red, 120, 130);
        Assert.InRange(calm.Green, 120, 130);
    }
}
