using GradCamSharp.Web;
using Microsoft.AspNetCore.Http.Features;

WebApplicationBuilder builder = WebApplication.CreateBuilder(args);
builder.Services.AddSingleton<ExplainService>();
builder.Services.Configure<FormOptions>(options => options.MultipartBodyLengthLimit = ExplainService.MaxUploadBytes
    + 1024 * 1024);

WebApplication app = builder.Build();
app.UseDefaultFiles();
app.UseStaticFiles();
app.MapExplainApi();
app.Run();

/// <summary>The demo's entry point (public for the integration tests' WebApplicationFactory).</summary>
public partial class Program;
