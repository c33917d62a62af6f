using static TorchSharp.torch;

namespace GradCamSharp.VisionLanguage;

/// <summary>Feature maps with where-am-I channels, so that heads can answer "left of" and read left to right.</summary>
internal static class SpatialFeatures
{
    /// <summary>The channels <see cref="WithCoordinates"/> adds.</summary>
    public const int CoordinateChannels = 2;

    /// <summary>[N, C, h, w] features followed by x and y, each running from -1 to 1 across the map.</summary>
    public static Tensor WithCoordinates(Tensor features)
    {
        ArgumentNullException.ThrowIfNull(features);
        long n = features.shape[0], height = features.shape[2], width = features.shape[3];
        using Tensor xs = linspace(-1, 1, width, dtype: features.dtype).view(1, 1, 1, width);
        using Tensor ys = linspace(-1, 1, height, dtype: features.dtype).view(1, 1, height, 1);
        return cat([features, xs.expand(n, 1, height, width), ys.expand(n, 1, height, width)], 1);
    }
}
