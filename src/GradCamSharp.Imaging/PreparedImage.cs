using GradCamSharp.Maps;
using static TorchSharp.torch;

namespace GradCamSharp.Imaging;

/// <summary>A photo converted to a model's input, with what is needed to map results back onto the photo.</summary>
public sealed class PreparedImage
{
    internal PreparedImage(float[] values, Preprocessing preprocessing, int originalWidth, int originalHeight,
        int contentWidth, int contentHeight)
    {
        Values = values;
        Preprocessing = preprocessing;
        OriginalWidth = originalWidth;
        OriginalHeight = originalHeight;
        ContentWidth = contentWidth;
        ContentHeight = contentHeight;
    }

    /// <summary>[3, H, W] normalised input values, channels in the model's order.</summary>
    public float[] Values { get; }

    /// <summary>The conventions the values follow.</summary>
    public Preprocessing Preprocessing { get; }

    /// <summary>The photo's width.</summary>
    public int OriginalWidth { get; }

    /// <summary>The photo's height.</summary>
    public int OriginalHeight { get; }

    /// <summary>How many input columns hold the photo (the rest is padding).</summary>
    public int ContentWidth { get; }

    /// <summary>How many input rows hold the photo.</summary>
    public int ContentHeight { get; }

    /// <summary>The values as a new [1, 3, H, W] tensor, ready for a model (in the caller's dispose scope).</summary>
    public Tensor ToTensor() => tensor(Values, [1, 3, Preprocessing.Height, Preprocessing.Width]);

    /// <summary>Maps an input-resolution map onto the photo's pixels, dropping any padding.</summary>
    public Heatmap ToOriginal(Heatmap inputMap)
    {
        ArgumentNullException.ThrowIfNull(inputMap);
        if (inputMap.Width != Preprocessing.Width || inputMap.Height != Preprocessing.Height)
            throw new ArgumentException($"expected a {Preprocessing.Width}x{Preprocessing.Height} map, got " +
                $"{inputMap.Width}x{inputMap.Height}");
        Heatmap content = ContentWidth == inputMap.Width && ContentHeight == inputMap.Height
            ? inputMap : inputMap.Crop(0, 0, ContentWidth, ContentHeight);
        return content.Resize(OriginalWidth, OriginalHeight);
    }

    /// <summary>
    /// The input position of a photo position (continuous pixel coordinates: pixel (i, j) spans [i, i+1) x [j, j+1)).
    /// </summary>
    public (double X, double Y) ToInput(double x, double y) =>
        (x * ContentWidth / OriginalWidth, y * ContentHeight / OriginalHeight);

    /// <summary>The photo position of an input position: the inverse of <see cref="ToInput"/>.</summary>
    public (double X, double Y) ToOriginal(double inputX, double inputY) =>
        (inputX * OriginalWidth / ContentWidth, inputY * OriginalHeight / ContentHeight);

    /// <summary>
    /// Maps an input-resolution attribution's channel onto the photo (see <see cref="ToOriginal(Heatmap)"/>).
    /// </summary>
    public Heatmap ToOriginal(Attribution attribution, int channel)
    {
        ArgumentNullException.ThrowIfNull(attribution);
        int plane = attribution.Width * attribution.Height;
        return ToOriginal(new Heatmap(attribution.Width, attribution.Height,
            attribution.Values.AsSpan(channel * plane, plane).ToArray()));
    }
}
