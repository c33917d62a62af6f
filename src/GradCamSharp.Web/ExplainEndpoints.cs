using GradCamSharp.Imaging;
using GradCamSharp.Methods;
using GradCamSharp.Pipeline;
using GradCamSharp.VisionLanguage;
using GradCamSharp.Catalog;

namespace GradCamSharp.Web;

/// <summary>
/// The demo's HTTP API as plain functions over <see cref="ExplainService"/>. Failures are thrown and answered in one
/// place (<see cref="ErrorResponses"/>).
/// </summary>
internal static class ExplainEndpoints
{
    /// <summary>
    /// Maps the page, GET /api/model, GET /api/samples, GET /api/images/ID.png, POST /api/explain, /api/caption and
    /// /api/vqa.
    /// </summary>
    public static void MapExplainApi(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapGet("/", () => WebPages.Html("index.html")).ExcludeFromDescription();
        app.MapGet("/api/model", (ExplainService service, CancellationToken cancellation) =>
                service.DescribeAsync(cancellation))
            .WithSummary("The model, its classes, the methods and colormaps, the captioning and VQA models");
        app.MapGet("/api/samples", () => Samples()).WithSummary("The shipped photos the page offers");
        app.MapGet("/samples/{name}", (string name) => Samples().Contains(name, StringComparer.Ordinal)
                ? Results.File(Path.Combine(DefaultModel.SamplesFolder, name), ContentType(name))
                : Results.NotFound(new ErrorResponse($"no shipped photo '{PrintableText.Printable(name)}'")))
            .WithSummary("A shipped photo").Produces<ErrorResponse>(StatusCodes.Status404NotFound);
        app.MapGet(ImageStore.Route + "/{id}.png", (string id, ExplainService service) =>
                service.Images.Get(id) is byte[] png ? Results.File(png, "image/png")
                    : Results.NotFound(new ErrorResponse($"no image '{PrintableText.Printable(id)}' (images are kept " +
                        "for a few minutes)")))
            .WithSummary("A map or panel of a recent response, as PNG")
            .Produces(StatusCodes.Status200OK, contentType: "image/png")
            .Produces<ErrorResponse>(StatusCodes.Status404NotFound);
        app.MapPost("/api/explain", Explain).DisableAntiforgery().Upload<ExplainResponse>(
            "The model's five best classes and the maps of the classes asked for (or the top ones)",
            new UploadForm([UploadForm.Image, UploadForm.Method("all"),
                UploadForm.Texts("class", "a class to explain, by index or label, repeatable (default: the top ones)"),
                UploadForm.Integer("top", "how many of the best classes to explain when no class is given", 1, 10),
                UploadForm.Colormap]));
        app.MapPost("/api/caption", Caption).DisableAntiforgery().Upload<CaptionResponse>(
            "A caption (the model's or the one given) and a map per word",
            new UploadForm([UploadForm.Image,
                UploadForm.Text("model", $"a shipped captioner (default {VisionLanguageCatalog.ShapesCaptioner})"),
                UploadForm.Text("caption", "a caption to explain instead of the model's own"),
                UploadForm.Method(KnownMethods.GradCam), UploadForm.Colormap]));
        app.MapPost("/api/vqa", Answer).DisableAntiforgery().Upload<AnswerResponse>(
            "The model's answers to a question and the maps of the answers asked for (or the top one)",
            new UploadForm([UploadForm.Image, UploadForm.Text("question", "the question", required: true),
                UploadForm.Text("model", $"a shipped VQA model (default {VisionLanguageCatalog.ShapesVqa})"),
                UploadForm.Texts("answer", "an answer to explain, repeatable (default: the model's top answer)"),
                UploadForm.Method(KnownMethods.GradCam), UploadForm.Colormap]));
    }

    private static RouteHandlerBuilder Upload<T>(this RouteHandlerBuilder endpoint, string summary, UploadForm form) =>
        endpoint
        .WithSummary(summary)
        .Accepts<IFormFile>("multipart/form-data")
        .AddOpenApiOperationTransformer((operation, _, _) =>
        {
            operation.RequestBody = form.RequestBody();
            return Task.CompletedTask;
        })
        .Produces<T>()
        .Produces<ErrorResponse>(StatusCodes.Status400BadRequest)
        .Produces<ErrorResponse>(StatusCodes.Status413PayloadTooLarge)
        .Produces<ErrorResponse>(StatusCodes.Status503ServiceUnavailable);

    /// <summary>
    /// POST /api/explain, multipart: <c>image</c> (the photo), optional <c>method</c> (repeatable), <c>class</c>
    /// (repeatable, index or label), <c>top</c>, <c>colormap</c>.
    /// </summary>
    public static async Task<ExplainResponse> Explain(HttpRequest request, ExplainService service,
        CancellationToken cancellation)
    {
        using ModelTurns.Admission admission = service.Turns.Admit(cancellation);
        (IFormCollection form, byte[] image, string name) = await ReadUpload(request, service.Limits, cancellation);
        int top = 1;
        if (form.TryGetValue("top", out var topText) && (!int.TryParse(topText, out top) || top < 1 || top > 10))
            throw new UsageException("'top' must be a whole number from 1 to 10");
        var settings = new ExplanationSettings
        {
            Methods = Values(form, "method") is { Length: > 0 } methods ? methods : [KnownMethods.All],
            Classes = Values(form, "class"),
            Top = top,
            Colormap = Text(form, "colormap") ?? KnownColormaps.Default,
        };
        return await service.ExplainAsync(admission, image, name, settings);
    }

    /// <summary>
    /// POST /api/caption, multipart: <c>image</c>, optional <c>model</c> (a shipped captioner), <c>caption</c> (to
    /// explain instead of the model's own), <c>method</c> (repeatable), <c>colormap</c>.
    /// </summary>
    public static async Task<CaptionResponse> Caption(HttpRequest request, ExplainService service,
        CancellationToken cancellation)
    {
        using ModelTurns.Admission admission = service.Turns.Admit(cancellation);
        (IFormCollection form, byte[] image, string name) = await ReadUpload(request, service.Limits, cancellation);
        return await service.CaptionAsync(admission, image, name,
            Text(form, "model") ?? VisionLanguageCatalog.ShapesCaptioner, Text(form, "caption"), TextSettings(form));
    }

    /// <summary>
    /// POST /api/vqa, multipart: <c>image</c>, <c>question</c>, optional <c>model</c> (a shipped VQA model),
    /// <c>answer</c> (repeatable; default the top answer), <c>method</c> (repeatable), <c>colormap</c>.
    /// </summary>
    public static async Task<AnswerResponse> Answer(HttpRequest request, ExplainService service,
        CancellationToken cancellation)
    {
        using ModelTurns.Admission admission = service.Turns.Admit(cancellation);
        (IFormCollection form, byte[] image, string name) = await ReadUpload(request, service.Limits, cancellation);
        string question = Text(form, "question") ?? throw new UsageException("the question is empty");
        return await service.AnswerAsync(admission, image, name, Text(form, "model") ?? VisionLanguageCatalog.ShapesVqa,
            question, Values(form, "answer"), 1, TextSettings(form));
    }

    /// <summary>The shipped photos, by file name.</summary>
    public static IReadOnlyList<string> Samples() =>
        [.. DefaultModel.SamplePhotos().Select(f => Path.GetFileName(f))];

    private static string ContentType(string name) => Path.GetExtension(name).ToLowerInvariant() switch
    {
        ".png" => "image/png",
        ".webp" => "image/webp",
        ".bmp" => "image/bmp",
        _ => "image/jpeg",
    };

    private static string? Text(IFormCollection form, string key) =>
        form.TryGetValue(key, out var value) && !string.IsNullOrWhiteSpace(value) ? value.ToString().Trim() : null;

    private static string[] Values(IFormCollection form, string key) =>
        form[key].Where(v => !string.IsNullOrWhiteSpace(v)).Select(v => v!.Trim()).ToArray();

    private static ExplanationSettings TextSettings(IFormCollection form) => new()
    {
        Methods = Values(form, "method") is { Length: > 0 } methods ? methods : [KnownMethods.GradCam],
        Colormap = Text(form, "colormap") ?? KnownColormaps.Default,
    };

    /// <summary>
    /// The form and its <c>image</c> file, within the upload limit; read only once the request is admitted, so that
    /// no more uploads are held in memory than the queue holds requests.
    /// </summary>
    /// <exception cref="UsageException">Not a multipart form, or no image in it.</exception>
    /// <exception cref="BadHttpRequestException">413: the image is over the limit.</exception>
    internal static async Task<(IFormCollection Form, byte[] Image, string Name)> ReadUpload(HttpRequest request,
        WebLimits limits, CancellationToken cancellation)
    {
        if (!request.HasFormContentType) throw new UsageException("send a multipart form with an 'image' file");
        IFormCollection form;
        try
        {
            form = await request.ReadFormAsync(cancellation);
        }
        catch (Exception exception) when (MalformedFormException.From(exception) is { } malformed
            && !cancellation.IsCancellationRequested)
        {
            throw malformed;
        }
        IFormFile? file = form.Files.GetFile("image");
        if (file is null || file.Length == 0) throw new UsageException("no 'image' file in the form");
        if (file.Length > limits.MaxUploadBytes)
            throw new BadHttpRequestException("too large", StatusCodes.Status413PayloadTooLarge);
        using var buffer = new MemoryStream((int)file.Length);
        await file.CopyToAsync(buffer, cancellation);
        return (form, buffer.ToArray(), file.FileName);
    }
}
