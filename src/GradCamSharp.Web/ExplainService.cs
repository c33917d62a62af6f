using GradCamSharp.Imaging;
using GradCamSharp.Methods;
using GradCamSharp.Pipeline;
using SkiaSharp;

namespace GradCamSharp.Web;

/// <summary>
/// Holds the default model and explains uploaded photos one at a time: explanations install hooks on the shared
/// model and TorchSharp's dispose scopes belong to a thread, so concurrent requests wait their turn.
/// </summary>
public sealed class ExplainService : IDisposable
{
    /// <summary>The largest upload accepted.</summary>
    public const long MaxUploadBytes = 20 * 1024 * 1024;

    private readonly Lazy<LoadedModel> _model = new(() => ModelCatalog.Load(ModelCatalog.Default));
    private readonly SemaphoreSlim _turn = new(1, 1);

    /// <summary>What the page offers: the model, its classes, the methods and colormaps.</summary>
    public ModelDescription Describe() =>
        new(_model.Value.Name, _model.Value.Labels ?? [], KnownMethods.Names, KnownColormaps.Names);

    /// <summary>Explains one uploaded photo.</summary>
    /// <exception cref="ImageLoadException">Not a decodable image.</exception>
    /// <exception cref="UsageException">Bad method, class or colormap.</exception>
    public async Task<ExplainResponse> ExplainAsync(byte[] upload, string name, ExplanationSettings settings,
        CancellationToken cancellation)
    {
        using SKBitmap photo = ImageLoader.Decode(upload, name);
        await _turn.WaitAsync(cancellation);
        try
        {
            var explainer = new PhotoExplainer(_model.Value, settings);
            var targets = new List<TargetResult>();
            foreach (RenderedTarget target in explainer.Explain(photo, name))
            {
                using (target)
                {
                    targets.Add(new TargetResult(
                        target.Label,
                        target.Maps[0].Explanation.ClassIndex,
                        target.Maps[0].Explanation.Score,
                        target.Maps.Select(m => new MapResult(m.Method, PhotoExplainer.Title(m.Method),
                            m.Explanation.Layer, m.Peak, m.Box, Png(m.Picture))).ToList(),
                        target.Panel is null ? null : Png(target.Panel)));
                }
            }
            return new ExplainResponse(_model.Value.Name, photo.Width, photo.Height, targets);
        }
        finally
        {
            _turn.Release();
        }
    }

    private static string Png(SKBitmap bitmap)
    {
        using SKData data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        return "data:image/png;base64," + Convert.ToBase64String(data.AsSpan());
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_model.IsValueCreated) _model.Value.Dispose();
        _turn.Dispose();
    }
}
