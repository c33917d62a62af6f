using CsCheck;
using GradCamSharp.Maps;
using SkiaSharp;

namespace GradCamSharp.Imaging.Tests;

/// <summary>Properties that hold for any photo size and any input convention, checked on random cases.</summary>
public sealed class PreprocessingPropertyTests
{
    private static readonly Gen<Preprocessing> Conventions =
        Gen.Select(Gen.Int[1, 96], Gen.Int[1, 96], Gen.Enum<ResizeMode>(), Gen.Enum<ChannelOrder>(),
            (width, height, resize, order) => new Preprocessing
            {
                Width = width, Height = height, ResizeMode = resize, ChannelOrder = order,
            });

    private static readonly Gen<(int Width, int Height)> PhotoSizes = Gen.Select(Gen.Int[1, 400], Gen.Int[1, 400]);

    [Fact]
    public void Prepare_AnyPhotoAndConvention_NeverThrowsAndFillsTheInput()
    {
        Gen.Select(PhotoSizes, Conventions).Sample(((int Width, int Height) size, Preprocessing preprocessing) =>
        {
            using var photo = new SKBitmap(new SKImageInfo(size.Width, size.Height, SKColorType.Rgba8888,
                SKAlphaType.Unpremul));
            photo.Erase(new SKColor(200, 100, 50));
            PreparedImage prepared = ImagePreprocessor.Prepare(photo, preprocessing);
            Assert.Equal(3 * preprocessing.Width * preprocessing.Height, prepared.Values.Length);
            Assert.All(prepared.Values, v => Assert.True(float.IsFinite(v)));
            Assert.InRange(prepared.ContentWidth, 1, preprocessing.Width);
            Assert.Equal(preprocessing.Height, prepared.ContentHeight);
        }, iter: 150);
    }

    [Fact]
    public void ToInputThenToOriginal_IsTheIdentityOnCoordinates()
    {
        Gen.Select(PhotoSizes, Conventions, Gen.Double[0, 1], Gen.Double[0, 1]).Sample(
            ((int Width, int Height) size, Preprocessing preprocessing, double u, double v) =>
            {
                PreparedImage prepared = Prepared(size.Width, size.Height, preprocessing);
                (double x, double y) = (u * size.Width, v * size.Height);
                (double inputX, double inputY) = prepared.ToInput(x, y);
                Assert.InRange(inputX, 0, prepared.ContentWidth);
                Assert.InRange(inputY, 0, prepared.ContentHeight);
                (double backX, double backY) = prepared.ToOriginal(inputX, inputY);
                Assert.Equal(x, backX, 1e-9);
                Assert.Equal(y, backY, 1e-9);
            }, iter: 300);
    }

    [Fact]
    public void ToOriginal_OneHotInputMap_PeaksWhereItsCoordinateMapsTo()
    {
        // Photos at least as large as the input, as maps are upsampled onto them (a one-hot map shrunk by point
        // sampling may vanish; real maps are smooth).
        Gen.Select(Gen.Select(Gen.Int[96, 400], Gen.Int[96, 400]), Conventions, Gen.Double[0, 1],
            Gen.Double[0, 1]).Sample(
            ((int Width, int Height) size, Preprocessing preprocessing, double u, double v) =>
            {
                PreparedImage prepared = Prepared(size.Width, size.Height, preprocessing);
                int column = Math.Min((int)(u * prepared.ContentWidth), prepared.ContentWidth - 1);
                int row = Math.Min((int)(v * prepared.ContentHeight), prepared.ContentHeight - 1);
                var values = new float[preprocessing.Width * preprocessing.Height];
                values[row * preprocessing.Width + column] = 1;
                Heatmap onPhoto = prepared.ToOriginal(new Heatmap(preprocessing.Width, preprocessing.Height, values));
                Assert.Equal((size.Width, size.Height), (onPhoto.Width, onPhoto.Height));
                (double x, double y) = prepared.ToOriginal(column + 0.5, row + 0.5);
                (int peakX, int peakY) = onPhoto.Peak;
                // Within one input pixel's footprint on the photo.
                double toleranceX = Math.Max(1, (double)size.Width / prepared.ContentWidth);
                double toleranceY = Math.Max(1, (double)size.Height / prepared.ContentHeight);
                Assert.InRange(peakX + 0.5, x - toleranceX, x + toleranceX);
                Assert.InRange(peakY + 0.5, y - toleranceY, y + toleranceY);
            }, iter: 200);
    }

    [Fact]
    public void CropAndResize_AnyValidArguments_NeverThrowAndStayWithinTheValues()
    {
        Gen<(Heatmap Map, int X, int Y, int Width, int Height, int ToWidth, int ToHeight)> cases =
            Gen.Select(Gen.Int[1, 40], Gen.Int[1, 40]).SelectMany((w, h) =>
                Gen.Select(Gen.Float[-5, 5].Array[w * h], Gen.Int[0, w - 1], Gen.Int[0, h - 1], Gen.Int[1, 120],
                    Gen.Int[1, 120]).SelectMany((values, x, y, toWidth, toHeight) =>
                    Gen.Select(Gen.Int[1, w - x], Gen.Int[1, h - y], (cw, ch) =>
                        (new Heatmap(w, h, values), x, y, cw, ch, toWidth, toHeight))));
        cases.Sample(c =>
        {
            Heatmap crop = c.Map.Crop(c.X, c.Y, c.Width, c.Height);
            Assert.Equal(c.Map[c.X, c.Y], crop[0, 0]);
            Heatmap resized = crop.Resize(c.ToWidth, c.ToHeight);
            Assert.Equal(c.ToWidth * c.ToHeight, resized.Values.Length);
            // Bilinear resampling mixes neighbours: it never leaves the range of the values it mixes.
            float min = crop.Values.Min(), max = crop.Values.Max();
            Assert.All(resized.Values, value => Assert.InRange(value, min - 1e-4f, max + 1e-4f));
            Heatmap blurred = crop.Blur(1.5f);
            Assert.All(blurred.Values, value => Assert.InRange(value, min - 1e-4f, max + 1e-4f));
        }, iter: 200);
    }

    private static PreparedImage Prepared(int width, int height, Preprocessing preprocessing)
    {
        using var photo = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Unpremul));
        return ImagePreprocessor.Prepare(photo, preprocessing);
    }
}
