namespace GradCamSharp.Imaging;

/// <summary>
/// How a model wants its input: size, channel order, scale and normalisation, <c>(v * Scale - Mean) / Std</c>.
/// </summary>
public sealed record Preprocessing
{
    /// <summary>The input width in pixels (for <see cref="ResizeMode.FitHeightPadRight"/>, the padded width).</summary>
    public int Width { get; init; } = 224;

    /// <summary>The input height in pixels.</summary>
    public int Height { get; init; } = 224;

    /// <summary>Channel order of the input tensor.</summary>
    public ChannelOrder ChannelOrder { get; init; } = ChannelOrder.Rgb;

    /// <summary>Multiplies the 0..255 pixel values first: 1/255 for models that take 0..1, 1 for 0..255.</summary>
    public float Scale { get; init; } = 1f / 255f;

    /// <summary>Per-channel mean subtracted after scaling, in <see cref="ChannelOrder"/>.</summary>
    public float[] Mean { get; init; } = [0.485f, 0.456f, 0.406f];

    /// <summary>Per-channel standard deviation divided by, in <see cref="ChannelOrder"/>.</summary>
    public float[] Std { get; init; } = [0.229f, 0.224f, 0.225f];

    /// <summary>How the image is fitted into <see cref="Width"/> x <see cref="Height"/>.</summary>
    public ResizeMode ResizeMode { get; init; } = ResizeMode.Stretch;

    /// <summary>Throws if the record is inconsistent.</summary>
    public void Validate()
    {
        if (Width <= 0 || Height <= 0) throw new ArgumentException($"input size {Width}x{Height} must be positive");
        if (Mean.Length != 3 || Std.Length != 3) throw new ArgumentException("mean and std need three values");
        if (Std.Any(s => s == 0)) throw new ArgumentException("std must not be zero");
    }
}
