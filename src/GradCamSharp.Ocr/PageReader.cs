using GradCamSharp.Catalog;
using GradCamSharp.Imaging;
using GradCamSharp.Models;
using GradCamSharp.Onnx;
using SkiaSharp;
using TorchSharp;
using static TorchSharp.torch;

namespace GradCamSharp.Ocr;

/// <summary>A line found on a page: its box, its upright picture, and whether it was turned the right way up.</summary>
/// <param name="Box">Where it is on the page.</param>
/// <param name="Picture">The line's crop, upright.</param>
/// <param name="Rotated">Whether the orientation classifier found it upside down (the crop was turned 180°).</param>
public sealed record PageLine(TextBox Box, SKBitmap Picture, bool Rotated) : IDisposable
{
    /// <summary>A position in <see cref="Picture"/> as a position on the page.</summary>
    public (int X, int Y) ToPage(int x, int y) => Rotated
        ? (Box.X1 - 1 - x, Box.Y1 - 1 - y)
        : (Box.X0 + x, Box.Y0 + y);

    /// <inheritdoc />
    public void Dispose() => Picture.Dispose();
}

/// <summary>
/// A whole page as PaddleOCR reads it: lines found by the DB detector, each turned upright when the orientation
/// classifier is sure it is upside down, in reading order.
/// </summary>
public sealed class PageReader : IDisposable
{
    /// <summary>How sure the classifier must be before a line is turned.</summary>
    public const double TurnAbove = 0.9;

    /// <summary>Pictures narrower than this many times their height are read as pages, wider ones as lines.</summary>
    public const double LineAspect = 3;

    private readonly TextDetector _detector;
    private readonly OnnxExplainableModel _orientation;

    private PageReader(TextDetector detector, OnnxExplainableModel orientation)
    {
        _detector = detector;
        _orientation = orientation;
    }

    /// <summary>Loads the detector and the orientation classifier from <paramref name="folder"/>.</summary>
    public static PageReader Load(string? folder = null)
    {
        folder ??= PaddleOcrModels.Folder;
        string orientation = PaddleOcrModels.Require(folder, PaddleOcrModels.OrientationFile);
        TextDetector detector = TextDetector.Load(folder);
        return new PageReader(detector, new OnnxExplainableModel(OnnxModule.Load(orientation)));
    }

    /// <summary>Whether a picture of this size is a page (several lines) rather than one line.</summary>
    public static bool IsPage(int width, int height) => width < LineAspect * height;

    /// <summary>The lines of <paramref name="page"/>, upright, in reading order; the caller disposes them.</summary>
    public IReadOnlyList<PageLine> Lines(SKBitmap page)
    {
        ArgumentNullException.ThrowIfNull(page);
        var lines = new List<PageLine>();
        foreach (TextBox box in _detector.Detect(page))
        {
            var crop = new SKBitmap(box.X1 - box.X0, box.Y1 - box.Y0, SKColorType.Rgba8888, SKAlphaType.Premul);
            using (var canvas = new SKCanvas(crop))
                canvas.DrawBitmap(page, new SKRect(box.X0, box.Y0, box.X1, box.Y1), new SKRect(0, 0, crop.Width,
                    crop.Height));
            bool upsideDown = UpsideDownProbability(crop) > TurnAbove;
            lines.Add(new PageLine(box, upsideDown ? Turned(crop) : crop, upsideDown));
        }
        return lines;
    }

    /// <summary>The classifier's probability that <paramref name="line"/> is upside down (label "180").</summary>
    public double UpsideDownProbability(SKBitmap line)
    {
        ArgumentNullException.ThrowIfNull(line);
        PreparedImage prepared = ImagePreprocessor.Prepare(line, KnownPreprocessing.PaddleOcrTextLine);
        using DisposeScope scope = NewDisposeScope();
        using var noGrad = no_grad();
        return _orientation.Forward(prepared.ToTensor(), ForwardTaps.None).softmax(-1)[0, 1].item<float>();
    }

    private static SKBitmap Turned(SKBitmap crop)
    {
        var turned = new SKBitmap(crop.Width, crop.Height, SKColorType.Rgba8888, SKAlphaType.Premul);
        using (var canvas = new SKCanvas(turned))
        {
            canvas.RotateDegrees(180, crop.Width / 2f, crop.Height / 2f);
            canvas.DrawBitmap(crop, 0, 0);
        }
        crop.Dispose();
        return turned;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _detector.Dispose();
        _orientation.Dispose();
    }
}
