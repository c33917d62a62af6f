using GradCamSharp.Pipeline;
using GradCamSharp.Web.Study;

namespace GradCamSharp.Web;

/// <summary>
/// How <c>gradcam serve</c> runs: where it listens, which model it explains, its limits, and its study.
/// </summary>
public sealed record ServerOptions
{
    /// <summary>The address to listen on: the loopback interface unless another is asked for.</summary>
    public string Host { get; init; } = "127.0.0.1";

    /// <summary>The port; 0 picks a free one.</summary>
    public int Port { get; init; } = 5000;

    /// <summary>The model to explain: a name from <see cref="ModelCatalog"/> or an ONNX file.</summary>
    public string Model { get; init; } = ModelCatalog.Default;

    /// <summary>How the model is loaded (labels, preprocessing, architecture).</summary>
    public ModelLoadOptions ModelOptions { get; init; } = new();

    /// <summary>Upload, pixel, queue and time limits.</summary>
    public WebLimits Limits { get; init; } = new();

    /// <summary>The human study to run at <c>/study</c>, or null for none.</summary>
    public StudyOptions? Study { get; init; }

    /// <summary>The URL the service answers at once it listens on <paramref name="port"/>.</summary>
    public string UrlFor(int port) =>
        $"http://{(Host.Contains(':', StringComparison.Ordinal) ? $"[{Host}]" : Host)}:{port}";
}
