using System.Text.Json;
using SkiaSharp;
using GradCamSharp.Catalog;

namespace GradCamSharp.Cli.Tests;

/// <summary><c>gradcam read</c> on pictures of any shape, within its stated memory bound.</summary>
public sealed class ReadCommandTests
{
    /// <summary>The README's bound on what reading one window takes above the process's resident memory.</summary>
    private const long MemoryBoundBytes = 1536L << 20;

    /// <summary>The shipped text line, scaled to <paramref name="height"/> and repeated to fill
    /// <paramref name="width"/> pixels.</summary>
    private static string LongLine(TempFolder folder, int width, int height)
    {
        using SKBitmap sample = SKBitmap.Decode(Path.Combine(CliRun.Samples, "text", "textline_upright.png"));
        int tile = sample.Width * height / sample.Height;
        using var line = new SKBitmap(width, height, SKColorType.Rgba8888, SKAlphaType.Premul);
        using (var canvas = new SKCanvas(line))
        {
            canvas.Clear(SKColors.White);
            for (int x = 0; x < width; x += tile) canvas.DrawBitmap(sample, new SKRect(x, 0, x + tile, height));
        }
        string path = folder[$"line-{width}x{height}.png"];
        using (FileStream file = File.Create(path)) line.Encode(file, SKEncodedImageFormat.Png, 9);
        return path;
    }

    [SkippableFact]
    public void Read_AVeryWideLine_IsReadInWindows_WithinTheMemoryBound()
    {
        Skip.IfNot(PaddleOcrModels.Available, "the OCR models are not installed");
        Skip.IfNot(PeakMemory.Available, "no /proc");
        using var folder = new TempFolder();
        // The hostile picture of the hardening issue: 40000x30 pixels in a few KB, once 5.4 GB and 42 s.
        string picture = LongLine(folder, 40_000, 30);
        // A line that stays readable at the default output size: several windows of real text.
        string readable = LongLine(folder, 2_000, 40);

        CliRun warm = CliRun.Of("read", readable, "--out", folder["warm"]);
        Assert.Equal(0, warm.ExitCode);
        long before = PeakMemory.ResidentBytes;
        PeakMemory.Reset();
        CliRun run = CliRun.Of("read", picture, readable, "--out", folder["out"]);
        long peak = PeakMemory.PeakBytes;

        Assert.Equal(0, run.ExitCode);
        Assert.True(peak - before < MemoryBoundBytes,
            $"reading took {(peak - before) >> 20} MB above the {before >> 20} MB resident before");
        using JsonDocument manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder["out"],
            "explanations.json")));
        JsonElement[] entries = [.. manifest.RootElement.EnumerateArray()
            .Where(e => e.GetProperty("image").GetString()!.EndsWith("line-2000x40.png", StringComparison.Ordinal))];
        Assert.NotEmpty(entries);
        // Several windows, each entry placed in the whole line's pixels, its text the whole line's.
        Assert.True(entries.Select(e => e.GetProperty("part").GetInt32()).Distinct().Count() > 1);
        string text = entries[0].GetProperty("text").GetString()!;
        Assert.Contains("teaching", text, StringComparison.Ordinal);
        Assert.All(entries, e =>
        {
            Assert.Equal(text, e.GetProperty("text").GetString());
            int[] columns = [.. e.GetProperty("part_columns").EnumerateArray().Select(v => v.GetInt32())];
            int x = e.GetProperty("peak")[0].GetInt32();
            Assert.InRange(x, columns[0], columns[1] - 1);
            Assert.Equal(text[e.GetProperty("token_index").GetInt32()].ToString(),
                e.GetProperty("token").GetString());
        });
    }
}
