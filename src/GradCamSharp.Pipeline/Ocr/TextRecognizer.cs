using GradCamSharp.Imaging;
using GradCamSharp.Models;
using GradCamSharp.Onnx;
using GradCamSharp.Targets;
using SkiaSharp;
using TorchSharp;
using static TorchSharp.torch;

namespace GradCamSharp.Pipeline.Ocr;

/// <summary>
/// PaddleOCR's PP-OCRv4 text recogniser (SVTR-style, CTC over the 6,623 characters of <c>ppocr_keys_v1.txt</c> plus
/// blank and space), imported as a differentiable graph: reads a text line and explains each character it read. The
/// explained output is the logits before the graph's final softmax, as Grad-CAM differentiates scores before it.
/// </summary>
public sealed class TextRecognizer : IDisposable
{
    /// <summary>The recogniser's file in <see cref="OcrModels.Folder"/>.</summary>
    public const string ModelFile = "ch_PP-OCRv4_rec_infer.onnx";

    /// <summary>The character list's file.</summary>
    public const string KeysFile = "ppocr_keys_v1.txt";

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
    public static TextRecognizer Load(string? folder = null)
    {
        folder ??= OcrModels.Folder;
        string model = OcrModels.Require(folder, ModelFile), keys = OcrModels.Require(folder, KeysFile);
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

    /// <summary>Reads one text line (spaces read at either end are dropped).</summary>
    /// <param name="line">The line's picture, upright (a blank or 1-pixel-high one reads as "").</param>
    /// <exception cref="UnreadableInputException">A picture without pixels.</exception>
    public RecognizedLine Read(SKBitmap line)
    {
        ArgumentNullException.ThrowIfNull(line);
        if (line.Width < 1 || line.Height < 1)
            throw new UnreadableInputException($"the picture is empty ({line.Width}x{line.Height}): there is no text " +
                "to read");
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
