using System.CommandLine;
using GradCamSharp.Imaging;

namespace GradCamSharp.Cli.Commands;

/// <summary>How commands that read photos and write a folder treat large or damaged photos and a used folder.</summary>
internal sealed class PhotoOptions
{
    public Option<double> MaxMegapixels { get; } = new("--max-megapixels")
    {
        Description = "Refuse images declaring more pixels than this, checked before decoding (decompression bombs)",
        DefaultValueFactory = _ => ImageDecodeOptions.DefaultMaxPixels / 1e6,
    };

    public Option<int> OutputSize { get; } = new("--output-size")
    {
        Description = "Long side of the written maps, in pixels: larger photos are decoded downscaled to it",
        DefaultValueFactory = _ => ImageDecodeOptions.DefaultMaxSide,
    };

    public Option<bool> AllowPartial { get; } = new("--allow-partial")
    {
        Description = "Accept truncated images (the missing part is black) instead of refusing them",
    };

    public Option<bool> Overwrite { get; } = new("--overwrite")
    {
        Description = "Write into a folder holding files gradcam did not write (they are kept; a previous run's " +
            "files are always replaced)",
    };

    public void AddTo(Command command, bool decoding = true)
    {
        if (decoding)
        {
            command.Add(MaxMegapixels);
            command.Add(OutputSize);
            command.Add(AllowPartial);
        }
        command.Add(Overwrite);
    }

    /// <exception cref="UsageException">A limit that is not positive.</exception>
    public ImageDecodeOptions Decoding(ParseResult result)
    {
        double megapixels = result.GetValue(MaxMegapixels);
        if (!(megapixels > 0)) throw new UsageException($"--max-megapixels must be positive, got {megapixels}");
        int size = result.GetValue(OutputSize);
        if (size < 16) throw new UsageException($"--output-size must be at least 16 pixels, got {size}");
        return new ImageDecodeOptions
        {
            MaxPixels = (long)Math.Min(megapixels * 1e6, long.MaxValue / 2.0),
            MaxSide = size,
            AllowPartial = result.GetValue(AllowPartial),
        };
    }
}
