using System.Text.Json;
using System.Text.Json.Serialization;
using GradCamSharp.Imaging;

namespace GradCamSharp.Catalog;

/// <summary>
/// A small JSON file describing a model's input convention, for <c>--preprocess model.json</c>:
/// <c>{"width": 224, "height": 224, "channel_order": "rgb", "scale": 0.00392157, "mean": [...], "std": [...], "resize":
/// "stretch"}</c>. Omitted fields keep the ImageNet defaults.
/// </summary>
public static class PreprocessingDescriptor
{
    private static readonly JsonSerializerOptions StrictJson = UntrustedJson.Strict();

    // Every member optional: an omitted one keeps the ImageNet default.
    private sealed record Descriptor(
        [property: JsonPropertyName("width")] int? Width = null,
        [property: JsonPropertyName("height")] int? Height = null,
        [property: JsonPropertyName("channel_order")] string? ChannelOrder = null,
        [property: JsonPropertyName("scale")] float? Scale = null,
        [property: JsonPropertyName("mean")] float[]? Mean = null,
        [property: JsonPropertyName("std")] float[]? Std = null,
        [property: JsonPropertyName("resize")] string? Resize = null);

    /// <summary>Reads a descriptor.</summary>
    /// <exception cref="UnreadableInputException">Missing, malformed or inconsistent.</exception>
    public static Preprocessing Read(string path)
    {
        Descriptor d = UntrustedJson.Read<Descriptor>(path, "preprocessing descriptor", StrictJson);
        try
        {
            Preprocessing defaults = KnownPreprocessing.ImageNet;
            var result = new Preprocessing
            {
                Width = d.Width ?? defaults.Width,
                Height = d.Height ?? defaults.Height,
                ChannelOrder = d.ChannelOrder?.ToLowerInvariant() switch
                {
                    null or "rgb" => ChannelOrder.Rgb,
                    "bgr" => ChannelOrder.Bgr,
                    var other =>
                        throw new UnreadableInputException($"'{path}': channel_order '{other}' must be rgb or bgr"),
                },
                Scale = d.Scale ?? defaults.Scale,
                Mean = d.Mean ?? defaults.Mean,
                Std = d.Std ?? defaults.Std,
                ResizeMode = d.Resize?.ToLowerInvariant() switch
                {
                    null or "stretch" => ResizeMode.Stretch,
                    "fit-height-pad-right" => ResizeMode.FitHeightPadRight,
                    var other => throw new UnreadableInputException($"'{path}': resize '{other}' must be stretch or " +
                        "fit-height-pad-right"),
                },
            };
            result.Validate();
            return result;
        }
        catch (ArgumentException exception)
        {
            throw new UnreadableInputException($"preprocessing descriptor '{path}' is malformed: {exception.Message}",
                exception);
        }
    }
}
