namespace GradCamSharp.Web;

/// <summary>
/// The service's pages, embedded in the assembly (see the project file) so that it runs from anywhere.
/// </summary>
public static class WebPages
{
    /// <summary>An embedded page as a response.</summary>
    public static IResult Html(string name)
    {
        Stream page = typeof(WebPages).Assembly.GetManifestResourceStream($"wwwroot/{name}")
            ?? throw new InvalidOperationException($"page {name} is not embedded");
        return Results.Stream(page, "text/html; charset=utf-8");
    }
}
