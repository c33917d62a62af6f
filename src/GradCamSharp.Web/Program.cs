using GradCamSharp.Web;
using Microsoft.AspNetCore.Http.Features;

WebApplicationBuilder builder = WebApplication.CreateBuilder(args);
WebLimits limits = builder.Configuration.GetSection(WebLimits.Section).Get<WebLimits>() ?? new WebLimits();
builder.Services.AddSingleton(limits);
builder.Services.AddSingleton<ExplainService>();
builder.Services.Configure<FormOptions>(options => options.MultipartBodyLengthLimit = limits.MaxUploadBytes
    + 1024 * 1024);

WebApplication app = builder.Build();
app.UseDefaultFiles();
app.UseStaticFiles();
app.MapExplainApi();
app.Run();

/// <summary>The demo's entry point (public for the integration tests' WebApplicationFactory).</summary>
public partial class Program;
