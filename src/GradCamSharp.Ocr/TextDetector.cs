using GradCamSharp.Catalog;
using GradCamSharp.Imaging;
using GradCamSharp.Models;
using GradCamSharp.Onnx;
using SkiaSharp;
using static TorchSharp.torch;

namespace GradCamSharp.Ocr;

/// <summary>
/// A text line found on a page: [x0, y0, x1, y1) in page pixels, and the detector's mean probability.
/// </summary>
public sealed record TextBox(int X0, int Y0, int X1, int Y1, double Score)
{
    /// <summary>The box as [x0, y0, x1, y1].</summary>
    public int[] ToArray() => [X0, Y0, X1, Y1];
}

/// <summary>
/// PaddleOCR's PP-OCRv4 DB text detector (Liao et al., Real-time Scene Text Detection with Differentiable
/// Binarization, AAAI 2020), imported as a differentiable graph, with DB's usual post-processing: the probability map
/// thresholded at 0.3, connected regions kept where their mean probability reaches 0.6, each grown by the DB offset
/// D = area x 1.5 / perimeter (the "unclip" that restores the shrunk text kernel), as axis-aligned boxes in reading
/// order.
/// </summary>
internal sealed class TextDetector : IDisposable
{
    private const float Threshold = 0.3f;
    private const double BoxThreshold = 0.6;
    private const double UnclipRatio = 1.5;
    private const int SmallestSide = 3;

    private readonly OnnxExplainableModel _model;

    private TextDetector(OnnxExplainableModel model) => _model = model;

    /// <summary>The detector as an explainable model (output: [N, 1, H, W] text probabilities).</summary>
    public IExplainableModel Model => _model;

    /// <summary>Loads the detector from <paramref name="folder"/> (default: the build's copy).</summary>
    /// <exception cref="UnreadableInputException">The models were not fetched.</exception>
    public static TextDetector Load(string? folder = null) =>
        new(new OnnxExplainableModel(OnnxModule.Load(PaddleOcrModels.Require(folder ?? PaddleOcrModels.Folder,
            PaddleOcrModels.DetectorFile))));

    /// <summary>The text lines on <paramref name="page"/>, top to bottom, left to right within a row.</summary>
    public IReadOnlyList<TextBox> Detect(SKBitmap page)
    {
        ArgumentNullException.ThrowIfNull(page);
        PreparedImage prepared =
            ImagePreprocessor.Prepare(page, PaddleOcrModels.DetectorPreprocessingFor(page.Width, page.Height));
        float[] probabilities;
        using (NewDisposeScope())
        using (no_grad())
        {
            probabilities = _model.Forward(prepared.ToTensor(), ForwardTaps.None).to(ScalarType.Float32)
                .contiguous().data<float>().ToArray();
        }
        int width = prepared.Preprocessing.Width, height = prepared.Preprocessing.Height;
        double scaleX = page.Width / (double)width, scaleY = page.Height / (double)height;
        var boxes = new List<TextBox>();
        foreach (Region region in Regions(probabilities, width, height))
        {
            if (region.Mean < BoxThreshold) continue;
            int regionWidth = region.X1 - region.X0, regionHeight = region.Y1 - region.Y0;
            if (Math.Min(regionWidth, regionHeight) < SmallestSide) continue;
            double offset = regionWidth * regionHeight * UnclipRatio / (2.0 * (regionWidth + regionHeight));
            boxes.Add(new TextBox(
                (int)Math.Clamp(Math.Floor((region.X0 - offset) * scaleX), 0, page.Width),
                (int)Math.Clamp(Math.Floor((region.Y0 - offset) * scaleY), 0, page.Height),
                (int)Math.Clamp(Math.Ceiling((region.X1 + offset) * scaleX), 0, page.Width),
                (int)Math.Clamp(Math.Ceiling((region.Y1 + offset) * scaleY), 0, page.Height), region.Mean));
        }
        return ReadingOrder(boxes);
    }

    /// <summary>Rows by their vertical centre (a box joins a row whose centre lies inside it), left to right.</summary>
    internal static IReadOnlyList<TextBox> ReadingOrder(IReadOnlyList<TextBox> boxes)
    {
        var rows = new List<List<TextBox>>();
        foreach (TextBox box in boxes.OrderBy(b => (b.Y0 + b.Y1) / 2.0))
        {
            List<TextBox>? row = rows.LastOrDefault();
            double centre = (box.Y0 + box.Y1) / 2.0;
            if (row is not null && row.Any(b => centre >= b.Y0 && centre < b.Y1)) row.Add(box);
            else rows.Add([box]);
        }
        return rows.SelectMany(row => row.OrderBy(b => b.X0)).ToList();
    }

    private sealed record Region(int X0, int Y0, int X1, int Y1, double Mean);

    /// <summary>The 4-connected regions of the thresholded map, with their bounds and mean probability.</summary>
    private static List<Region> Regions(float[] map, int width, int height)
    {
        var label = new int[map.Length];
        var regions = new List<Region>();
        var stack = new Stack<int>();
        for (int start = 0; start < map.Length; start++)
        {
            if (map[start] <= Threshold || label[start] != 0) continue;
            int x0 = width, y0 = height, x1 = 0, y1 = 0, count = 0;
            double sum = 0;
            label[start] = regions.Count + 1;
            stack.Push(start);
            while (stack.Count > 0)
            {
                int i = stack.Pop(), x = i % width, y = i / width;
                (x0, y0, x1, y1) = (Math.Min(x0, x), Math.Min(y0, y), Math.Max(x1, x + 1), Math.Max(y1, y + 1));
                sum += map[i];
                count++;
                foreach (int j in (ReadOnlySpan<int>)[x > 0 ? i - 1 : -1, x < width - 1 ? i + 1 : -1,
                    y > 0 ? i - width : -1, y < height - 1 ? i + width : -1])
                {
                    if (j < 0 || label[j] != 0 || map[j] <= Threshold) continue;
                    label[j] = regions.Count + 1;
                    stack.Push(j);
                }
            }
            regions.Add(new Region(x0, y0, x1, y1, sum / count));
        }
        return regions;
    }

    /// <inheritdoc />
    public void Dispose() => _model.Dispose();
}
