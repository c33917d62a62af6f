using GradCamSharp.Methods;
using GradCamSharp.Pipeline;
using GradCamSharp.VisionLanguage;

namespace GradCamSharp.Web;

/// <summary>The demo's HTTP API, as plain functions over <see cref="ExplainService"/>.</summary>
public static class ExplainEndpoints
{
    /// <summary>Maps GET /api/model and POST /api/explain.</summary>
    public static void MapExplainApi(this WebApplication app)
    {
        app.MapGet("/api/model", (ExplainService service) => service.Describe());
        app.MapPost("/api/explain", Explain).DisableAntiforgery();
        app.MapPost("/api/caption", Caption).DisableAntiforgery();
        app.MapPost("/api/vqa", Answer).DisableAntiforgery();
    }

    /// <summary>
    /// POST /api/caption, multipart: <c>image</c>, optional <c>model</c> (a shipped captioner), <c>caption</c> (to
    /// explain instead of the model's own), <c>method</c> (repeatable), <c>colormap</c>.
    /// </summary>
    public static async Task<IResult> Caption(HttpRequest request, ExplainService service,
        CancellationToken cancellation)
    {
        (IFormCollection? form, byte[]? image, IResult? failure) = await ReadUpload(request, service, cancellation);
        if (failure is not null) return failure;
        string? caption = form!.TryGetValue("caption", out var given) && !string.IsNullOrWhiteSpace(given)
            ? given.ToString() : null;
        return await Answered(() => service.CaptionAsync(image!, form.Files.GetFile("image")!.FileName,
            Text(form, "model") ?? VisionLanguageCatalog.ShapesCaptioner, caption, TextSettings(form), cancellation));
    }

    /// <summary>
    /// POST /api/vqa, multipart: <c>image</c>, <c>question</c>, optional <c>model</c> (a shipped VQA model),
    /// <c>answer</c> (repeatable; default the top answer), <c>method</c> (repeatable), <c>colormap</c>.
    /// </summary>
    public static async Task<IResult> Answer(HttpRequest request, ExplainService service,
        CancellationToken cancellation)
    {
        (IFormCollection? form, byte[]? image, IResult? failure) = await ReadUpload(request, service, cancellation);
        if (failure is not null) return failure;
        string? question = Text(form!, "question");
        if (question is null) return Results.BadRequest(new ErrorResponse("the question is empty"));
        string[] answers = form!["answer"].Where(a => !string.IsNullOrWhiteSpace(a)).Select(a => a!).ToArray();
        return await Answered(() => service.AnswerAsync(image!, form.Files.GetFile("image")!.FileName,
            Text(form, "model") ?? VisionLanguageCatalog.ShapesVqa, question, answers, 1, TextSettings(form),
            cancellation));
    }

    private static async Task<IResult> Answered<T>(Func<Task<T>> work)
    {
        try
        {
            return Results.Ok(await work());
        }
        catch (Exception exception) when (exception is UnreadableInputException or UsageException)
        {
            return Results.BadRequest(new ErrorResponse(exception.Message));
        }
    }

    private static string? Text(IFormCollection form, string key) =>
        form.TryGetValue(key, out var value) && !string.IsNullOrWhiteSpace(value) ? value.ToString().Trim() : null;

    private static ExplanationSettings TextSettings(IFormCollection form) => new()
    {
        Methods = form["method"].Where(m => !string.IsNullOrWhiteSpace(m)).Select(m => m!).ToArray() is
            { Length: > 0 } methods ? methods : [KnownMethods.GradCam],
        Colormap = Text(form, "colormap") ?? "jet",
    };

    private static async Task<(IFormCollection?, byte[]?, IResult?)> ReadUpload(HttpRequest request,
        ExplainService service,
        CancellationToken cancellation)
    {
        if (!request.HasFormContentType)
            return (null, null, Results.BadRequest(new ErrorResponse("send a multipart form with an 'image' file")));
        IFormCollection form = await request.ReadFormAsync(cancellation);
        IFormFile? file = form.Files.GetFile("image");
        if (file is null || file.Length == 0)
            return (null, null, Results.BadRequest(new ErrorResponse("no 'image' file in the form")));
        if (file.Length > service.Limits.MaxUploadBytes)
        {
            return (null, null, Results.Json(new ErrorResponse("the image is larger than " +
                $"{service.Limits.MaxUploadMegabytes} MB"),
                    statusCode: StatusCodes.Status413PayloadTooLarge));
        }
        using var buffer = new MemoryStream();
        await file.CopyToAsync(buffer, cancellation);
        return (form, buffer.ToArray(), null);
    }

    /// <summary>
    /// POST /api/explain, multipart: <c>image</c> (the photo), optional <c>method</c> (repeatable), <c>class</c>
    /// (repeatable, index or label), <c>top</c>, <c>colormap</c>.
    /// </summary>
    public static async Task<IResult> Explain(HttpRequest request, ExplainService service,
        CancellationToken cancellation)
    {
        if (!request.HasFormContentType)
            return Results.BadRequest(new ErrorResponse("send a multipart form with an 'image' file"));
        IFormCollection form = await request.ReadFormAsync(cancellation);
        IFormFile? file = form.Files.GetFile("image");
        if (file is null || file.Length == 0)
            return Results.BadRequest(new ErrorResponse("no 'image' file in the form"));
        if (file.Length > service.Limits.MaxUploadBytes)
            return Results.Json(new ErrorResponse("the image is larger than " +
                $"{service.Limits.MaxUploadMegabytes} MB"),
                    statusCode: StatusCodes.Status413PayloadTooLarge);
        int top = 1;
        if (form.TryGetValue("top", out var topText) && (!int.TryParse(topText, out top) || top < 1 || top > 10))
            return Results.BadRequest(new ErrorResponse("'top' must be a whole number from 1 to 10"));

        using var buffer = new MemoryStream();
        await file.CopyToAsync(buffer, cancellation);
        var settings = new ExplanationSettings
        {
            Methods = form["method"].Where(m => !string.IsNullOrWhiteSpace(m)).Select(m => m!)
                .ToArray() is { Length: > 0 } methods ? methods : ["all"],
            Classes = form["class"].Where(c => !string.IsNullOrWhiteSpace(c)).Select(c => c!).ToArray(),
            Top = top,
            Colormap = form.TryGetValue("colormap",
                out var colormap) && !string.IsNullOrWhiteSpace(colormap) ? colormap.ToString() : "jet",
        };
        try
        {
            return Results.Ok(await service.ExplainAsync(buffer.ToArray(), file.FileName, settings, cancellation));
        }
        catch (Exception exception) when (exception is UnreadableInputException or UsageException)
        {
            return Results.BadRequest(new ErrorResponse(exception.Message));
        }
    }
}
