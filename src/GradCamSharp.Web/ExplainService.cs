using GradCamSharp.Imaging;
using GradCamSharp.Methods;
using GradCamSharp.Pipeline;
using GradCamSharp.VisionLanguage;
using SkiaSharp;

namespace GradCamSharp.Web;

/// <summary>
/// Holds the default model and explains uploaded photos one at a time: explanations install hooks on the shared
/// model and TorchSharp's dispose scopes belong to a thread, so concurrent requests wait their turn.
/// </summary>
public sealed class ExplainService(WebLimits limits) : IDisposable
{
    private readonly Lazy<LoadedModel> _model = new(() => ModelCatalog.Load(ModelCatalog.Default));
    private readonly SemaphoreSlim _turn = new(1, 1);
    private readonly Dictionary<string, VisionLanguageModel> _textModels = new(StringComparer.Ordinal);

    /// <summary>The upload and pixel limits.</summary>
    public WebLimits Limits { get; } = limits;

    /// <summary>What the page offers: the model, its classes, the methods and colormaps.</summary>
    public ModelDescription Describe() =>
        new(_model.Value.Name, _model.Value.Labels ?? [], KnownMethods.Names, KnownColormaps.Names,
            VisionLanguageCatalog.Names.Where(n => n.EndsWith(VisionLanguageTasks.Captioner, StringComparison.Ordinal))
                .ToArray(),
            VisionLanguageCatalog.Names.Where(n => n.EndsWith(VisionLanguageTasks.Vqa, StringComparison.Ordinal))
                .ToArray());

    /// <summary>Captions one uploaded photo (or reads the given caption) and explains it word by word.</summary>
    /// <exception cref="UsageException">Unknown model, word or method.</exception>
    public async Task<CaptionResponse> CaptionAsync(byte[] upload, string name, string model, string? caption,
        ExplanationSettings settings, CancellationToken cancellation)
    {
        using SKBitmap photo = ImageLoader.Decode(upload, name, Limits.Decoding);
        await _turn.WaitAsync(cancellation);
        try
        {
            VisionLanguageModel captioner = TextModel(model, VisionLanguageTasks.Captioner);
            using ExplainedCaption result = new VisionLanguageExplainer(captioner, settings).Caption(photo, name,
                caption);
            return new CaptionResponse(captioner.Name, result.Caption, result.Generated, result.LogLikelihood,
                result.Words.Select(w => new WordResult(w.Word, w.Position, w.Rendered.Maps[0].Explanation.Score,
                    Maps(w.Rendered))).ToList(), Png(result.Panel));
        }
        finally
        {
            _turn.Release();
        }
    }

    /// <summary>Answers a question about one uploaded photo and explains the given or top answers.</summary>
    /// <exception cref="UsageException">Unknown model, word, answer or method; an empty question.</exception>
    public async Task<AnswerResponse> AnswerAsync(byte[] upload, string name, string model, string question,
        IReadOnlyList<string> answers, int top, ExplanationSettings settings, CancellationToken cancellation)
    {
        using SKBitmap photo = ImageLoader.Decode(upload, name, Limits.Decoding);
        await _turn.WaitAsync(cancellation);
        try
        {
            VisionLanguageModel vqa = TextModel(model, VisionLanguageTasks.Vqa);
            using ExplainedAnswers result = new VisionLanguageExplainer(vqa, settings).Answer(photo, name, question,
                answers, top);
            return new AnswerResponse(vqa.Name, result.Question,
                result.Ranked.Take(5).Select(a => new RankedAnswer(a.Answer, a.Probability)).ToList(),
                result.Explained.Select(a => new AnswerResult(a.Answer, a.Probability,
                    a.Rendered.Maps[0].Explanation.Score, Maps(a.Rendered),
                    a.Rendered.Panel is null ? null : Png(a.Rendered.Panel))).ToList());
        }
        finally
        {
            _turn.Release();
        }
    }

    /// <summary>A shipped captioner or VQA model, loaded once; called under the turn lock.</summary>
    private VisionLanguageModel TextModel(string name, string task)
    {
        if (!VisionLanguageCatalog.Names.Contains(name, StringComparer.Ordinal))
        {
            throw new UsageException($"unknown model '{name}'; the demo offers " +
                string.Join(", ", VisionLanguageCatalog.Names));
        }
        if (!_textModels.TryGetValue(name, out VisionLanguageModel? model))
        {
            model = VisionLanguageCatalog.Load(name, task);
            _textModels[name] = model;
        }
        return model.Task == task ? model
            : throw new UsageException($"{name} is not a {task} model");
    }

    private static List<MapResult> Maps(RenderedTarget target) => target.Maps.Select(m => new MapResult(m.Method,
        PhotoExplainer.Title(m.Method), m.Explanation.Layer, m.Peak, m.Box, Png(m.Picture))).ToList();

    /// <summary>Explains one uploaded photo.</summary>
    /// <exception cref="ImageLoadException">Not a decodable image.</exception>
    /// <exception cref="UsageException">Bad method, class or colormap.</exception>
    public async Task<ExplainResponse> ExplainAsync(byte[] upload, string name, ExplanationSettings settings,
        CancellationToken cancellation)
    {
        using SKBitmap photo = ImageLoader.Decode(upload, name, Limits.Decoding);
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
        foreach (VisionLanguageModel model in _textModels.Values) model.Dispose();
        _turn.Dispose();
    }
}
