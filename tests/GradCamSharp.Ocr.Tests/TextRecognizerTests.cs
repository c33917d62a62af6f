using CsCheck;
using GradCamSharp.Maps;
using SkiaSharp;
using TorchSharp;
using static TorchSharp.torch;
using GradCamSharp.Catalog;
using GradCamSharp.Pipeline;

namespace GradCamSharp.Ocr.Tests;

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
        Skip.IfNot(PaddleOcrModels.Available, $"the OCR models are not installed ({PaddleOcrModels.Folder}); the " +
            $"build fetches {PaddleOcrModels.Package} with npm");
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
            return OcrEvaluation.PointingArea(x0, x1).ContainsPixel(token.Rendered.Maps[0].Peak[0], 0);
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
        // A 200x1 picture is 9,600 columns at height 48: it is read in windows, each empty.
        foreach ((LineWindow _, ExplainedLine explained) in explainer.ExplainWindows(picture, "blank"))
        {
            using (explained)
            {
                Assert.Equal("", explained.Line.Text);
                Assert.Empty(explained.Tokens);
                Assert.Null(explained.Panel);
            }
        }
    }

    [Fact]
    public void Windows_TileTheLine_AndNoneIsWiderThanTheLimit_ForAnySize()
    {
        Gen.Select(Gen.Int[1, 200_000], Gen.Int[1, 4_000]).Sample((width, height) =>
        {
            IReadOnlyList<LineWindow> windows = TextRecognizer.Windows(width, height);
            Assert.Equal(0, windows[0].Own0);
            Assert.Equal(width, windows[^1].Own1);
            for (int k = 0; k < windows.Count; k++)
            {
                LineWindow window = windows[k];
                if (k > 0) Assert.Equal(windows[k - 1].Own1, window.Own0);
                Assert.True(window.X0 <= window.Own0 && window.Own0 < window.Own1 && window.Own1 <= window.X1);
                Assert.InRange(window.X0, 0, width - 1);
                Assert.InRange(window.X1, 1, width);
                // What the recogniser is given: the window resized to height 48, padded to whole frames.
                Assert.True(TextRecognizer.PreprocessingFor(window.X1 - window.X0, height).Width
                    <= Math.Max(TextRecognizer.MaxWindowColumns, TextRecognizer.MinimumInputWidth),
                    $"{width}x{height}: window {window} is too wide");
            }
        }, iter: 2_000);
    }

    [SkippableFact]
    public void ALongLine_IsReadInWindows_TheirTextsJoinedIntoTheLine_AndAWideReadIsRefused()
    {
        using TextRecognizer recognizer = Load();
        const string sentence = "The quick brown fox jumps over the lazy dog 0123456789 ";
        string text = string.Concat(Enumerable.Repeat(sentence, 5)).TrimEnd();
        using RenderedLine line = TextLineRenderer.Render(text, TextLineRenderer.AvailableFonts()[0], 30f);
        Assert.True(TextRecognizer.Windows(line.Picture.Width, line.Picture.Height).Count >= 4);
        Assert.Throws<UsageException>(() => recognizer.Read(line.Picture));

        using DisposeScope scope = NewDisposeScope();
        IReadOnlyList<(LineWindow Window, RecognizedLine Read)> windows = recognizer.ReadWindows(line.Picture);
        string read = string.Concat(windows.Select(w => w.Read.Text));
        // Each character is reported by one window: none lost or doubled where windows overlap.
        Assert.True(EditDistance.Between(text, read) <= text.Length / 50,
            $"read '{read}' for '{text}'");
    }

    [SkippableFact]
    public void APictureWithoutPixels_FailsCleanly()
    {
        using TextRecognizer recognizer = Load();
        using var picture = new SKBitmap();
        Assert.Contains("empty", Assert.Throws<UnreadableInputException>(() => recognizer.Read(picture)).Message);
    }

    [Fact]
    public void EditDistance_CountsInsertionsDeletionsAndSubstitutions()
    {
        Assert.Equal(0, EditDistance.Between("kiwi", "kiwi"));
        Assert.Equal(1, EditDistance.Between("kiwi", "kiw"));
        Assert.Equal(1, EditDistance.Between("kiwi", "kiwl"));
        Assert.Equal(3, EditDistance.Between("", "abc"));
        Assert.Equal(3, EditDistance.Between("kitten", "sitting"));
    }

    [Fact]
    public void PeakInside_WidensTheSpanByAQuarterOfItsWidthEachSide()
    {
        Area area = OcrEvaluation.PointingArea(10, 18);
        Assert.True(area.ContainsPixel(10, 0));
        Assert.True(area.ContainsPixel(8, 5));       // 8.5 >= 10 - 2
        Assert.False(area.ContainsPixel(7, 0));
        Assert.True(area.ContainsPixel(19, 40));     // 19.5 < 18 + 2
        Assert.False(area.ContainsPixel(20, 0));
    }

    /// <summary>Two rendered lines on a white page, the second <paramref name="gap"/> pixels below the first.</summary>
    private static SKBitmap Page(string first, string second, bool secondUpsideDown, int gap = 60)
    {
        string font = TextLineRenderer.AvailableFonts()[0];
        using RenderedLine top = TextLineRenderer.Render(first, font, 30f);
        using RenderedLine bottom = TextLineRenderer.Render(second, font, 30f);
        var page = new SKBitmap(Math.Max(top.Picture.Width, bottom.Picture.Width) + 80,
            top.Picture.Height + bottom.Picture.Height + gap + 80, SKColorType.Rgba8888, SKAlphaType.Premul);
        using var canvas = new SKCanvas(page);
        canvas.Clear(SKColors.White);
        canvas.DrawBitmap(top.Picture, 40, 40);
        float y = 40 + top.Picture.Height + gap;
        if (secondUpsideDown)
        {
            canvas.Save();
            canvas.RotateDegrees(180, 40 + bottom.Picture.Width / 2f, y + bottom.Picture.Height / 2f);
        }
        canvas.DrawBitmap(bottom.Picture, 40, y);
        if (secondUpsideDown) canvas.Restore();
        return page;
    }

    [SkippableTheory]
    [InlineData(false)]
    [InlineData(true)]
    public void APageOfTwoLines_IsDetected_TurnedUpright_AndReadInOrder(bool secondUpsideDown)
    {
        using TextRecognizer recognizer = Load();
        using PageReader reader = PageReader.Load();
        using SKBitmap page = Page("first line 12", "Second LINE", secondUpsideDown);
        Assert.True(PageReader.IsPage(page.Width, page.Height));
        using DisposeScope scope = NewDisposeScope();

        IReadOnlyList<PageLine> lines = reader.Lines(page);
        try
        {
            Assert.Equal(2, lines.Count);
            Assert.True(lines[0].Box.Y1 <= lines[1].Box.Y0, "reading order: top line first");
            Assert.Equal(["first line 12", "Second LINE"], lines.Select(l => recognizer.Read(l.Picture).Text));
            Assert.Equal([false, secondUpsideDown], lines.Select(l => l.Rotated));
        }
        finally
        {
            foreach (PageLine line in lines) line.Dispose();
        }
    }

    [SkippableFact]
    public void ABlankPage_HasNoLines()
    {
        using TextRecognizer recognizer = Load();
        using PageReader reader = PageReader.Load();
        using var page = new SKBitmap(300, 200, SKColorType.Rgba8888, SKAlphaType.Premul);
        page.Erase(SKColors.White);
        using DisposeScope scope = NewDisposeScope();
        Assert.Empty(reader.Lines(page));
    }

    [SkippableFact]
    public void DetectorRegion_HiResCamOfTheTextProbabilityThere_PeaksInsideTheRegion()
    {
        using TextRecognizer recognizer = Load();
        using SKBitmap page = Page("left words here", "another one", secondUpsideDown: false);
        using LoadedModel detector = ModelCatalog.Load(KnownModels.OcrDetector);
        // The first line's box: drawn at (40, 40), one rendered line high.
        using RenderedLine first =
            TextLineRenderer.Render("left words here", TextLineRenderer.AvailableFonts()[0], 30f);
        int[] region = [40, 40, 40 + first.Picture.Width, 40 + first.Picture.Height];
        // HiResCAM keeps the gradient's position: Grad-CAM's pooled weights light every text line alike.
        var explainer =
            new PhotoExplainer(detector, new ExplanationSettings { Region = region, Methods = ["hirescam"] });
        using DisposeScope scope = NewDisposeScope();

        IReadOnlyList<RenderedTarget> targets = explainer.Explain(page, "page");

        RenderedMap map = Assert.Single(Assert.Single(targets).Maps);
        Assert.Equal(PaddleOcrModels.DetectorLayer, map.Explanation.Layer);
        Assert.InRange(map.Peak[0], region[0], region[2]);
        Assert.InRange(map.Peak[1], region[1], region[3]);
        Assert.Throws<UsageException>(() => new PhotoExplainer(detector,
            new ExplanationSettings { Region = [5, 5, 5, 9] }));
        foreach (RenderedTarget target in targets) target.Dispose();
    }
}
