namespace GradCamSharp.Web.Study;

/// <summary>The study's pages and API, mapped only when the server runs a study.</summary>
internal static class StudyEndpoints
{
    /// <summary>Maps /study, /study/results and /api/study/*.</summary>
    public static void MapStudy(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapGet("/study", () => WebPages.Html("study.html")).ExcludeFromDescription();
        app.MapGet("/study/results", () => WebPages.Html("results.html")).ExcludeFromDescription();
        RouteGroupBuilder api = app.MapGroup("/api/study").WithTags("study");
        api.MapGet("/", (StudyService study) => new
        {
            name = study.Options.Name, kinds = study.Options.Kinds, models = study.Options.Models,
            cannot_tell = StudyDatabase.CannotTell,
        }).WithSummary("The study's name, kinds of trial and compared models");
        api.MapPost("/trials", (TrialRequest request, StudyService study, CancellationToken cancellation) =>
                study.NextTrialAsync(request.Participant, cancellation))
            .WithSummary("The participant's next trial (stored as given)")
            .Produces<TrialView>().Produces<ErrorResponse>(StatusCodes.Status400BadRequest);
        api.MapPost("/answers", (TrialAnswer answer, StudyService study) =>
            {
                try
                {
                    return Results.Ok(new { recorded = true, answered = study.Answer(answer) });
                }
                catch (InvalidOperationException exception)
                {
                    return Results.Conflict(new ErrorResponse(exception.Message));
                }
            })
            .WithSummary("Records an answer, committed before the response")
            .Produces(StatusCodes.Status200OK).Produces<ErrorResponse>(StatusCodes.Status400BadRequest)
            .Produces<ErrorResponse>(StatusCodes.Status409Conflict);
        api.MapGet("/results", (StudyService study) => study.Results())
            .WithSummary("Accuracy per method with 95% intervals; trust ratings").Produces<StudyResults>();
    }
}
