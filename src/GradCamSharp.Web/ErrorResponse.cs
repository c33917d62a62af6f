using System.Text.Json.Serialization;

namespace GradCamSharp.Web;

/// <summary>A failed request's reason.</summary>
internal sealed record ErrorResponse([property: JsonPropertyName("error")] string Error);
