using GradCamSharp.Catalog;
using GradCamSharp.Imaging;
using GradCamSharp.Models;
using GradCamSharp.Onnx;
using GradCamSharp.Targets;
using SkiaSharp;
using TorchSharp;
using static TorchSharp.torch;

namespace GradCamSharp.Ocr;

/// <summary>
/// PaddleOCR's PP-OCRv4 text recogniser (SVTR-style, CTC over the 6,623 characters of <c>ppocr_keys_v1.txt</c> plus
/// blank and space), imported as a differentiable graph: reads a text line and explains each character it read. The
/// explained output is the logits before the graph's final softmax, as Grad-CAM differentiates scores before it.
/// </summary>
public sealed class TextRecognizer : IDisposable
{
    /// <summary>The recogniser's input height.</summary>
    public const int InputHeight = 48;

    /// <summary>The narrowest input PaddleOCR pads a line to.</summary>
    public const int MinimumInputWidth = 320;

    /// <summary>Input columns per output frame (the network's horizontal stride).</summary>
    public const int ColumnsPerFrame = 8;

    /// <summary>
    /// The layer explained by default: the last feature map before the sequence head ([1, 120, 1, W/8], one column
    /// per output frame). The automatic choice, which wants more than one row, would take a reshaped sequence.
    /// </summary>
    public const string DefaultLayer = "swish_17.tmp_0";

    /// <summary>The CTC blank class.</summary>
    public const int Blank = 0;

    /// <summary>
    /// The widest input the recogniser reads at once, in columns at height 48 (160 frames, about 45 characters of
    /// Latin text): its sequence mixing grows with the square of the width (a 10,000-column line took 8.5 GB), so a
    /// longer line is read in overlapping windows of at most this width (see <see cref="Windows"/>).
    /// </summary>
    public const int MaxWindowColumns = 1280;

    /// <summary>The context a window reads beyond the part of the line it owns, each side, in columns.</summary>
    public const int WindowContextColumns = 160;

    private readonly OnnxExplainableModel _model;

    private TextRecognizer(OnnxExplainableModel model, IReadOnlyList<string> characters)
    {
        _model = model;
        Characters = characters;
    }

    /// <summary>Class index to text: "" for the blank, then the key file's characters, then a space.</summary>
    public IReadOnlyList<string> Characters { get; }

    /// <summary>The recogniser as an explainable model (its output: [N, T, classes] logits).</summary>
    public IExplainableModel Model => _model;

    /// <summary>The model's name in manifests.</summary>
    public const string Name = "ppocrv4-rec";

    /// <summary>Loads the recogniser from <paramref name="folder"/> (default: the build's copy).</summary>
    /// <exception cref="UnreadableInputException">The models were not fetched.</exception>
    /// <example>
    /// <code>
    /// using TextRecognizer recognizer = TextRecognizer.Load();
    /// using SKBitmap line = ImageLoader.Load("line.png");
    /// RecognizedLine read = recognizer.Read(line);   // read.Text, and each character's columns
    /// </code>
    /// </example>
    public static TextRecognizer Load(string? folder = null)
    {
        folder ??= PaddleOcrModels.Folder;
        string model = PaddleOcrModels.Require(folder, PaddleOcrModels.RecognizerFile),
            keys = PaddleOcrModels.Require(folder, PaddleOcrModels.KeysFile);
        string[] characters = ["", .. File.ReadAllLines(keys).Select(line => line.TrimEnd('\r')), " "];
        return new TextRecognizer(new OnnxExplainableModel(OnnxModule.Load(model)), characters);
    }

    /// <summary>
    /// The input layout for a line of <paramref name="width"/> x <paramref name="height"/> pixels, as PaddleOCR
    /// prepares it: height 48 keeping the aspect ratio, BGR, (v/255 - 0.5)/0.5, padded with zeros on the right to at
    /// least 320 columns and to a whole number of frames.
    /// </summary>
    public static Preprocessing PreprocessingFor(int width, int height)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        int content = (int)Math.Ceiling(InputHeight * (double)width / height);
        int padded = Math.Max(MinimumInputWidth, (content + ColumnsPerFrame - 1) / ColumnsPerFrame * ColumnsPerFrame);
        return KnownPreprocessing.PaddleOcrTextLine with { Width = padded, Height = InputHeight };
    }

    /// <summary>
    /// The windows a line of <paramref name="width"/> x <paramref name="height"/> pixels is read in: one for a line of
    /// up to <see cref="MaxWindowColumns"/> input columns, otherwise consecutive parts that each own a stretch of the
    /// line and read <see cref="WindowContextColumns"/> more on either side, so that a character near a part's edge
    /// is read with its neighbours. The parts' owned stretches tile the line exactly.
    /// </summary>
    public static IReadOnlyList<LineWindow> Windows(int width, int height)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        double columnsPerPixel = InputHeight / (double)height;
        if (Math.Ceiling(width * columnsPerPixel) <= MaxWindowColumns) return [new LineWindow(0, width, 0, width)];
        // Whole pixels that stay within the limit once a window is resized to height 48.
        int context = Math.Max(1, (int)(WindowContextColumns / columnsPerPixel));
        int window = Math.Max(2 * context + 1, (int)Math.Floor(MaxWindowColumns / columnsPerPixel));
        int owned = window - 2 * context;
        var windows = new List<LineWindow>();
        for (int start = 0; start < width; start += owned)
        {
            int end = Math.Min(width, start + owned);
            windows.Add(new LineWindow(Math.Max(0, start - context), Math.Min(width, end + context), start, end));
        }
        return windows;
    }

    /// <summary>
    /// Reads a text line of any width, window by window (see <see cref="Windows"/>): each window's result holds only
    /// the characters it owns (those whose frames centre on its owned stretch), so the texts joined in order are the
    /// line's text. Memory stays that of one window however long the line is.
    /// </summary>
    /// <param name="line">The line's picture, upright.</param>
    /// <exception cref="UnreadableInputException">A picture without pixels.</exception>
    public IReadOnlyList<(LineWindow Window, RecognizedLine Read)> ReadWindows(SKBitmap line)
    {
        RequirePixels(line);
        IReadOnlyList<LineWindow> windows = Windows(line.Width, line.Height);
        if (windows.Count == 1) return [(windows[0], Read(line))];
        var results = new List<(LineWindow, RecognizedLine)>();
        foreach (LineWindow window in windows)
        {
            using SKBitmap crop = window.Crop(line);
            results.Add((window, ReadOwned(crop, window)));
        }
        return results;
    }

    /// <summary>
    /// Reads the picture of one window (<paramref name="crop"/>, or the whole line for a single window) and keeps
    /// the characters the window owns.
    /// </summary>
    public RecognizedLine ReadOwned(SKBitmap crop, LineWindow window)
    {
        ArgumentNullException.ThrowIfNull(window);
        RecognizedLine read = Read(crop);
        return read.Only(c => window.Owns(window.X0 + Centre(read.Prepared, c)));
    }

    /// <summary>Where a character's frames centre, in the picture's pixels.</summary>
    public static double Centre(PreparedImage prepared, RecognizedCharacter character)
    {
        ArgumentNullException.ThrowIfNull(character);
        (double x0, double x1) = Span(prepared, character.Frames[0], character.Frames[^1]);
        return (x0 + x1) / 2;
    }

    /// <summary>
    /// Reads one text line that fits one window (spaces read at either end are dropped); see
    /// <see cref="ReadWindows"/> for a line of any width.
    /// </summary>
    /// <param name="line">The line's picture, upright (a blank or 1-pixel-high one reads as "").</param>
    /// <exception cref="UnreadableInputException">A picture without pixels.</exception>
    /// <exception cref="UsageException">A line wider than one window.</exception>
    public RecognizedLine Read(SKBitmap line)
    {
        RequirePixels(line);
        if (Windows(line.Width, line.Height).Count > 1)
        {
            throw new UsageException($"a {line.Width}x{line.Height} line is wider than the {MaxWindowColumns} input " +
                $"columns read at once; read it with {nameof(ReadWindows)}");
        }
        PreparedImage prepared = ImagePreprocessor.Prepare(line, PreprocessingFor(line.Width, line.Height));
        using DisposeScope scope = NewDisposeScope();
        using var noGrad = no_grad();
        Tensor logits = _model.Forward(prepared.ToTensor(), ForwardTaps.None)[0];
        Tensor probabilities = logits.softmax(-1);
        int[] path = CtcDecoding.BestPath(logits);
        float[] best = probabilities.max(1).values.data<float>().ToArray();
        // Spaces decoded at either end are the margins read as a gap between words: they say nothing.
        List<CtcToken> tokens = [.. CtcDecoding.Collapse(path, Blank)];
        while (tokens.Count > 0 && string.IsNullOrWhiteSpace(Characters[tokens[0].Token])) tokens.RemoveAt(0);
        while (tokens.Count > 0 && string.IsNullOrWhiteSpace(Characters[tokens[^1].Token]))
            tokens.RemoveAt(tokens.Count - 1);
        var characters = tokens.Select((token, index) => new RecognizedCharacter(index, Characters[token.Token],
            token.Token, token.Frames, token.Frames.Average(f => best[f]))).ToList();
        return new RecognizedLine(string.Concat(characters.Select(c => c.Text)), characters, path, prepared);
    }

    private static void RequirePixels(SKBitmap line)
    {
        ArgumentNullException.ThrowIfNull(line);
        if (line.Width < 1 || line.Height < 1)
            throw new UnreadableInputException($"the picture is empty ({line.Width}x{line.Height}): there is no text " +
                "to read");
    }

    /// <summary>The columns of the line's picture that frames <paramref name="first"/> to <paramref name="last"/>
    /// cover, as [x0, x1) in picture pixels.</summary>
    public static (double X0, double X1) Span(PreparedImage prepared, int first, int last)
    {
        ArgumentNullException.ThrowIfNull(prepared);
        double x0 = prepared.ToOriginal(first * ColumnsPerFrame, 0).X;
        double x1 = prepared.ToOriginal((last + 1) * ColumnsPerFrame, 0).X;
        return (Math.Clamp(x0, 0, prepared.OriginalWidth), Math.Clamp(x1, 0, prepared.OriginalWidth));
    }

    /// <inheritdoc />
    public void Dispose() => _model.Dispose();
}
