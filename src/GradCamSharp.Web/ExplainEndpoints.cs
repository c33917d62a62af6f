using GradCamSharp.Pipeline;

namespace GradCamSharp.Web;

/// <summary>The demo's HTTP API, as plain functions over <see cref="ExplainService"/>.</summary>
public static class ExplainEndpoints
{
    /// <summary>Maps GET /api/model and POST /api/explain.</summary>
    public static void MapExplainApi(this WebApplication app)
    {
        app.MapGet("/api/model", (ExplainService service) => service.Describe());
        app.MapPost("/api/explain", Explain).DisableAntiforgery();
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
        if (file.Length > ExplainService.MaxUploadBytes)
            return Results.Json(new ErrorResponse("the image is larger than " +
                $"{ExplainService.MaxUploadBytes / (1024 * 1024)} MB"),
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
