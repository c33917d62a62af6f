using GradCamSharp.Imaging;
using GradCamSharp.Methods;
using GradCamSharp.Pipeline;
using GradCamSharp.VisionLanguage;
using SkiaSharp;
using GradCamSharp.Catalog;

namespace GradCamSharp.Web;

/// <summary>
/// Holds the served models and explains uploaded photos (see <see cref="ModelTurns"/>): a request is admitted before
/// its upload is read, decodes among the image workers, takes its turn on the model for the model's work only, and
/// draws and encodes its maps among the image workers again, beside the next request's turn.
/// </summary>
internal sealed class ExplainService : IDisposable
{
    private readonly ServerOptions _options;
    private readonly Dictionary<string, LoadedModel> _classifiers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, VisionLanguageModel> _textModels = new(StringComparer.Ordinal);

    /// <summary>
    /// Whether the served model is a single-tensor detector: found when it loads, before the server listens
    /// (<see cref="LoadServedModel"/>), so that a request needs no model turn to know which way it goes.
    /// </summary>
    private bool _servesDetector;

    /// <summary>Serves the model of <paramref name="options"/>; it loads on the first request.</summary>
    public ExplainService(ServerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        Limits = options.Limits.Validated();
        Turns = new ModelTurns(Limits.QueueCapacity, TimeSpan.FromSeconds(Limits.RequestTimeoutSeconds),
            Limits.ImageWorkers);
        Images = new ImageStore { CapacityBytes = Limits.ImageStoreMegabytes * (1L << 20) };
    }

    /// <summary>The upload, pixel, queue and time limits.</summary>
    public WebLimits Limits { get; }

    /// <summary>The turn-taking on the models.</summary>
    public ModelTurns Turns { get; }

    /// <summary>Explain requests waiting for the model together, explained in one pass.</summary>
    public ExplainBatches Batches { get; } = new(MaxBatch);

    /// <summary>The most photos explained in one pass.</summary>
    public const int MaxBatch = 8;

    /// <summary>The explained model's name as the user gave it.</summary>
    public string ModelName => _options.Model;

    /// <summary>
    /// What the page offers: the model, its classes, the methods and colormaps, the text models. The first call loads
    /// the model (in the queue, like any model work).
    /// </summary>
    public async Task<ModelDescription> DescribeAsync(CancellationToken cancellation)
    {
        IReadOnlyList<string> labels =
            await Turns.RunAsync(_ => Classifier(_options.Model).Labels ?? [], cancellation);
        // A detector's maps default to the method its detections are explained with; a classifier's to the paper's.
        return new(_options.Model, KnownModels.Find(_options.Model)?.Summary, labels, KnownMethods.Names,
            _servesDetector ? [DetectionPipeline.DefaultMethod]
                : [.. KnownMethods.Registered.Where(m => m.InAll).Select(m => m.Name)],
            KnownColormaps.Names,
            VisionLanguageCatalog.Names.Where(n => n.EndsWith(VisionLanguageTasks.Captioner, StringComparison.Ordinal))
                .ToArray(),
            VisionLanguageCatalog.Names.Where(n => n.EndsWith(VisionLanguageTasks.Vqa, StringComparison.Ordinal))
                .ToArray());
    }

    /// <summary>
    /// Loads the served model now, so that a missing or unreadable model stops the server before it listens (and
    /// <c>/healthz</c> never reports a server that cannot explain anything).
    /// </summary>
    /// <exception cref="UnreadableInputException">The model cannot be read.</exception>
    /// <exception cref="UsageException">Options that do not fit the model.</exception>
    /// <remarks>Called before the server listens, so no request can be using the model yet.</remarks>
    public void LoadServedModel() => Classifier(_options.Model);

    /// <summary>
    /// Runs <paramref name="work"/> on the classifier <paramref name="spec"/> (the served model or one the study
    /// compares) in the model's queue.
    /// </summary>
    public Task<T> WithClassifierAsync<T>(string spec, Func<LoadedModel, CancellationToken, T> work,
        CancellationToken cancellation) =>
        Turns.RunAsync(token => work(Classifier(spec), token), cancellation);

    /// <summary>Explains one uploaded photo: the model's five best classes and the maps asked for.</summary>
    /// <exception cref="ImageLoadException">Not a decodable image, or over the pixel limit.</exception>
    /// <exception cref="UsageException">Bad method, class or colormap.</exception>
    /// <exception cref="ServerBusyException">The queue is full.</exception>
    public async Task<ExplainResponse> ExplainAsync(byte[] upload, string name, ExplanationSettings settings,
        CancellationToken cancellation)
    {
        using ModelTurns.Admission admission = Turns.Admit(cancellation);
        return await ExplainAsync(admission, upload, name, settings);
    }

    /// <summary>Explains one uploaded photo for a request already admitted (its upload read after admission).</summary>
    /// <exception cref="ImageLoadException">Not a decodable image, or over the pixel limit.</exception>
    /// <exception cref="UsageException">Bad method, class or colormap.</exception>
    public async Task<ExplainResponse> ExplainAsync(ModelTurns.Admission admission, byte[] upload, string name,
        ExplanationSettings settings)
    {
        ArgumentNullException.ThrowIfNull(admission);
        using SKBitmap photo = await DecodeAsync(admission, upload, name);
        if (_servesDetector) return await DetectAsync(admission, photo, settings);
        // The model is held for the model's work only; drawing and encoding happen after its turn, beside the next.
        // Requests with the same settings that queue behind one another are explained in one pass.
        ExplainBatches.Request request = Batches.Join(settings.ModelWorkKey, photo);
        PhotoExplainer explainer;
        try
        {
            explainer = await admission.OnModelAsync(token =>
            {
                LoadedModel model = Classifier(_options.Model);
                var explainer = new PhotoExplainer(model, settings, cancellation: token);
                IReadOnlyList<ExplainBatches.Request> batch = Batches.Take(request);
                if (batch.Count == 0) return explainer;
                try
                {
                    // Ranked and explained from the same inputs, each photo prepared once.
                    PreparedImage[] prepared = [.. batch.Select(r => explainer.Prepare(r.Photo))];
                    IReadOnlyList<IReadOnlyList<RankedClass>> rankings = ClassRanking.RankPrepared(model, prepared, 5);
                    IReadOnlyList<ExplainedPhoto> maps = explainer.ExplainPrepared(prepared);
                    for (int i = 0; i < batch.Count; i++) Batches.Complete(batch[i], rankings[i], maps[i]);
                }
                finally
                {
                    Batches.Settle(batch);
                }
                return explainer;
            });
        }
        finally
        {
            // The photo is disposed when this method returns: not while another request's pass still reads it.
            await Batches.LeaveAsync(request);
        }
        (IReadOnlyList<RankedClass> ranking, ExplainedPhoto explained) = request.Result!.Value;
        return await admission.WithImageWorkAsync(() =>
        {
            var targets = new List<TargetResult>();
            foreach (RenderedTarget target in explainer.Render(explained, photo, name))
            {
                using (target)
                {
                    targets.Add(new TargetResult(target.Label, target.Maps[0].Explanation.ClassIndex,
                        target.Maps[0].Explanation.Score, Maps(target),
                        target.Panel is null ? null : Png(target.Panel)));
                }
            }
            return new ExplainResponse(_options.Model, photo.Width, photo.Height,
                ranking.Select(ClassScore.Of).ToList(), targets);
        });
    }

    /// <summary>
    /// A detector's detections on the photo, each explained through its own score (as <c>gradcam detect</c> does), its
    /// maps drawn with its box; one request at a time (detections are not batched).
    /// </summary>
    private async Task<ExplainResponse> DetectAsync(ModelTurns.Admission admission, SKBitmap photo,
        ExplanationSettings settings)
    {
        using ExplainedDetections detected = await admission.OnModelAsync(token =>
            new DetectionPipeline(Classifier(_options.Model)).Explain(photo, settings, new DetectionOptions(), token));
        return await admission.WithImageWorkAsync(() =>
        {
            var targets = detected.Targets.Select((target, k) => new TargetResult(target.Label,
                detected.Found[k].ClassIndex, target.Maps[0].Explanation.Score, Maps(target), null)).ToList();
            DetectionResult[] found = [.. detected.Found.Select((d, k) => new DetectionResult(d.ClassIndex,
                detected.Targets[k].Label, d.Score, d.Box.ToArray()))];
            return new ExplainResponse(_options.Model, photo.Width, photo.Height,
                [.. found.Select(d => new ClassScore(d.ClassIndex, d.ClassLabel, d.Score, d.Score))], targets)
            {
                Detections = found,
                Boxes = Png(detected.Boxes),
            };
        });
    }

    /// <summary>Captions one uploaded photo (or reads the given caption) and explains it word by word.</summary>
    /// <exception cref="UsageException">Unknown model, word or method.</exception>
    /// <exception cref="ServerBusyException">The queue is full.</exception>
    public async Task<CaptionResponse> CaptionAsync(byte[] upload, string name, string model, string? caption,
        ExplanationSettings settings, CancellationToken cancellation)
    {
        using ModelTurns.Admission admission = Turns.Admit(cancellation);
        return await CaptionAsync(admission, upload, name, model, caption, settings);
    }

    /// <summary><see cref="CaptionAsync(byte[], string, string, string?, ExplanationSettings, CancellationToken)"/>
    /// for a request already admitted.</summary>
    public async Task<CaptionResponse> CaptionAsync(ModelTurns.Admission admission, byte[] upload, string name,
        string model, string? caption, ExplanationSettings settings)
    {
        ArgumentNullException.ThrowIfNull(admission);
        using SKBitmap photo = await DecodeAsync(admission, upload, name);
        (string modelName, ExplainedCaption result) = await admission.OnModelAsync(_ =>
        {
            Captioner captioner = TextModel(model, VisionLanguageCatalog.LoadCaptioner);
            return (captioner.Name, VisionLanguageExplainer.Caption(captioner, settings, photo, name, caption));
        });
        using (result)
        {
            return await admission.WithImageWorkAsync(() => new CaptionResponse(modelName, result.Caption,
                result.Generated, result.LogLikelihood, result.Words.Select(w => new WordResult(w.Word, w.Position,
                    w.Rendered.Maps[0].Explanation.Score, Maps(w.Rendered))).ToList(), Png(result.Panel)));
        }
    }

    /// <summary>Answers a question about one uploaded photo and explains the given or top answers.</summary>
    /// <exception cref="UsageException">Unknown model, word, answer or method; an empty question.</exception>
    /// <exception cref="ServerBusyException">The queue is full.</exception>
    public async Task<AnswerResponse> AnswerAsync(byte[] upload, string name, string model, string question,
        IReadOnlyList<string> answers, int top, ExplanationSettings settings, CancellationToken cancellation)
    {
        using ModelTurns.Admission admission = Turns.Admit(cancellation);
        return await AnswerAsync(admission, upload, name, model, question, answers, top, settings);
    }

    /// <summary><see cref="AnswerAsync(byte[], string, string, string, IReadOnlyList{string}, int,
    /// ExplanationSettings, CancellationToken)"/> for a request already admitted.</summary>
    public async Task<AnswerResponse> AnswerAsync(ModelTurns.Admission admission, byte[] upload, string name,
        string model, string question, IReadOnlyList<string> answers, int top, ExplanationSettings settings)
    {
        ArgumentNullException.ThrowIfNull(admission);
        using SKBitmap photo = await DecodeAsync(admission, upload, name);
        (string modelName, ExplainedAnswers result) = await admission.OnModelAsync(_ =>
        {
            VqaModel vqa = TextModel(model, VisionLanguageCatalog.LoadVqa);
            return (vqa.Name, VisionLanguageExplainer.Answer(vqa, settings, photo, name, question, answers, top));
        });
        using (result)
        {
            return await admission.WithImageWorkAsync(() => new AnswerResponse(modelName, result.Question,
                result.Ranked.Take(5).Select(a => new RankedAnswer(a.Answer, a.Probability)).ToList(),
                result.Explained.Select(a => new AnswerResult(a.Answer, a.Probability,
                    a.Rendered.Maps[0].Explanation.Score, Maps(a.Rendered),
                    a.Rendered.Panel is null ? null : Png(a.Rendered.Panel))).ToList()));
        }
    }

    /// <summary>
    /// Decodes an upload among the image workers: a photo's full-size pixels exist for at most that many requests at
    /// once, whatever the number of clients.
    /// </summary>
    private Task<SKBitmap> DecodeAsync(ModelTurns.Admission admission, byte[] upload, string name) =>
        admission.WithImageWorkAsync(() => ImageLoader.Decode(upload, name, Limits.Decoding));

    /// <summary>A classifier, loaded once; called in the queue. Only the served and the study's models load.</summary>
    private LoadedModel Classifier(string spec)
    {
        if (!_classifiers.TryGetValue(spec, out LoadedModel? model))
        {
            bool known = spec == _options.Model || (_options.Study?.Models.Contains(spec) ?? false);
            if (!known) throw new UsageException($"this server explains {_options.Model}, not '{spec}'");
            model = ModelCatalog.Load(spec, spec == _options.Model ? _options.ModelOptions : null);
            _classifiers[spec] = model;
            if (spec == _options.Model) _servesDetector = DetectionPipeline.IsDetector(model);
        }
        return model;
    }

    /// <summary>A shipped captioner or VQA model, loaded once by <paramref name="load"/> (which refuses the other
    /// kind); called in the queue.</summary>
    private T TextModel<T>(string name, Func<string, T> load) where T : VisionLanguageModel
    {
        if (!VisionLanguageCatalog.Names.Contains(name, StringComparer.Ordinal))
        {
            throw new UsageException($"unknown model '{name}'; the demo offers " +
                string.Join(", ", VisionLanguageCatalog.Names));
        }
        if (!_textModels.TryGetValue(name, out VisionLanguageModel? model))
        {
            model = VisionLanguageCatalog.Load(name);
            _textModels[name] = model;
        }
        return model as T ?? load(name);
    }

    private List<MapResult> Maps(RenderedTarget target) => target.Maps.Select(m => new MapResult(m.Method,
        PhotoExplainer.Title(m.Method), m.Explanation.Layer, m.Peak, m.Box, Png(m.Picture))).ToList();

    /// <summary>The maps and panels of recent responses.</summary>
    public ImageStore Images { get; }

    /// <summary>The URL at which <paramref name="bitmap"/> is served, as PNG.</summary>
    internal string Png(SKBitmap bitmap) => Images.Add(bitmap);

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (LoadedModel model in _classifiers.Values) model.Dispose();
        foreach (VisionLanguageModel model in _textModels.Values) model.Dispose();
        Turns.Dispose();
    }
}
