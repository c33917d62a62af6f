using System.Text.Json;
using GradCamSharp.Pipeline;

namespace GradCamSharp.Cli;

/// <summary>How the commands print JSON.</summary>
internal static class CliJson
{
    /// <summary>Indented, as written to manifests.</summary>
    public static JsonSerializerOptions Indented => ExplainPipeline.ManifestJson;
}
