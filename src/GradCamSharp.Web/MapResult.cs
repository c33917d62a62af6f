using System.Text.Json.Serialization;

namespace GradCamSharp.Web;

/// <summary>
/// One method's map of one class; <c>png</c> is the URL of its picture (see <see cref="ImageStore"/>).
/// </summary>
internal sealed record MapResult(
    [property: JsonPropertyName("method")] string Method,
    [property: JsonPropertyName("title")] string Title,
    [property: JsonPropertyName("layer")] string Layer,
    [property: JsonPropertyName("peak")] int[] Peak,
    [property: JsonPropertyName("box")] int[]? Box,
    [property: JsonPropertyName("png")] string Png);
