using GradCamSharp.Pipeline.Ocr;
using SkiaSharp;
using TorchSharp;
using static TorchSharp.torch;

namespace GradCamSharp.Pipeline.Tests;

/// <summary>
/// PaddleOCR's PP-OCRv4 recogniser through the import: rendered lines read exactly, each character's map peaking on
/// that character, and bad pictures failing cleanly. The models come from npm at build time.
/// </summary>
public sealed class TextRecognizerTests
{
    /// <summary>
    /// The README's pointing figure for HiResCAM, less a margin: the test holds the measurement, not an ideal.
    /// </summary>
    private const double MinimumPointing = 0.85;

    private static TextRecognizer Load()
    {
        Skip.IfNot(OcrModels.Available, $"the OCR models are not installed ({OcrModels.Folder}); the build fetches " +
            $"{OcrModels.Package} with npm");
        Skip.If(TextLineRenderer.AvailableFonts().Count == 0, "no DejaVu font (fonts-dejavu-core)");
        return TextRecognizer.Load();
    }

    [SkippableTheory]
    [InlineData("Grad CAM 2026 kiwi", "DejaVuSans.ttf", 34f)]
    [InlineData("hello World 42", "DejaVuSerif.ttf", 30f)]
    [InlineData("Mono 7 lines", "DejaVuSansMono.ttf", 28f)]
    public void RenderedLines_AreReadExactly_AndEachCharactersMapPeaksOnIt(string text, string font, float size)
    {
        using TextRecognizer recognizer = Load();
        string fontFile = TextLineRenderer.AvailableFonts().Single(f => Path.GetFileName(f) == font);
        using RenderedLine line = TextLineRenderer.Render(text, fontFile, size);
        var explainer = new TextLineExplainer(recognizer, new ExplanationSettings { Methods = ["hirescam"] });
        using DisposeScope scope = NewDisposeScope();

        using ExplainedLine explained = explainer.Explain(line.Picture, text);

        Assert.Equal(text, explained.Line.Text);
        Assert.Equal(text.Count(c => c != ' '), explained.Tokens.Count);
        int hits = explained.Tokens.Count(token =>
        {
            (double x0, double x1) = line.Spans[token.Index];
            return OcrEvaluation.PeakInside(token.Rendered.Maps[0].Peak[0], x0, x1);
        });
        Assert.True(hits >= MinimumPointing * explained.Tokens.Count,
            $"{hits}/{explained.Tokens.Count} characters' maps peak on the character");
        Assert.All(explained.Tokens, t => Assert.Equal(line.Picture.Width, t.Rendered.Maps[0].Picture.Width));
    }

    [SkippableFact]
    public void Words_GroupTheCharactersBetweenSpaces()
    {
        using TextRecognizer recognizer = Load();
        using RenderedLine line = TextLineRenderer.Render("two words", TextLineRenderer.AvailableFonts()[0], 32f);
        var explainer = new TextLineExplainer(recognizer, new ExplanationSettings(), words: true);
        using DisposeScope scope = NewDisposeScope();
        using ExplainedLine explained = explainer.Explain(line.Picture, "two words");
        Assert.Equal(["two", "words"], explained.Tokens.Select(t => t.Text));
        Assert.Equal([0, 4], explained.Tokens.Select(t => t.Index));
    }

    [SkippableTheory]
    [InlineData(200, 48)]
    [InlineData(200, 1)]
    [InlineData(1, 1)]
    public void BlankOrDegeneratePictures_ReadAsEmptyText(int width, int height)
    {
        using TextRecognizer recognizer = Load();
        using var picture = new SKBitmap(width, height, SKColorType.Rgba8888, SKAlphaType.Premul);
        picture.Erase(SKColors.White);
        var explainer = new TextLineExplainer(recognizer, new ExplanationSettings());
        using DisposeScope scope = NewDisposeScope();
        using ExplainedLine explained = explainer.Explain(picture, "blank");
        Assert.Equal("", explained.Line.Text);
        Assert.Empty(explained.Tokens);
        Assert.Null(explained.Panel);
    }

    [Fact]
    public void EditDistance_CountsInsertionsDeletionsAndSubstitutions()
    {
        Assert.Equal(0, OcrEvaluation.EditDistance("kiwi", "kiwi"));
        Assert.Equal(1, OcrEvaluation.EditDistance("kiwi", "kiw"));
        Assert.Equal(1, OcrEvaluation.EditDistance("kiwi", "kiwl"));
        Assert.Equal(3, OcrEvaluation.EditDistance("", "abc"));
        Assert.Equal(3, OcrEvaluation.EditDistance("kitten", "sitting"));
    }

    [Fact]
    public void PeakInside_WidensTheSpanByAQuarterOfItsWidthEachSide()
    {
        Assert.True(OcrEvaluation.PeakInside(10, 10, 18));
        Assert.True(OcrEvaluation.PeakInside(8, 10, 18));      // 8.5 >= 10 - 2
        Assert.False(OcrEvaluation.PeakInside(7, 10, 18));
        Assert.True(OcrEvaluation.PeakInside(19, 10, 18));     // 19.5 < 18 + 2
        Assert.False(OcrEvaluation.PeakInside(20, 10, 18));
    }
}
