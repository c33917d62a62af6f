using System.Text.Json.Nodes;
using GradCamSharp.Imaging;
using GradCamSharp.Methods;
using Microsoft.OpenApi;

namespace GradCamSharp.Web;

/// <summary>
/// The fields of an upload endpoint's multipart form, described once for the OpenAPI document (the endpoints read
/// the form themselves, after admission, so ASP.NET Core cannot infer them from parameters).
/// </summary>
/// <param name="Fields">Each field: its name, what it is, and its schema.</param>
internal sealed record UploadForm(IReadOnlyList<(string Name, string Description, bool Required,
    Func<OpenApiSchema> Schema)> Fields)
{
    /// <summary>The photo, a file.</summary>
    public static (string, string, bool, Func<OpenApiSchema>) Image { get; } = ("image",
        "the photo: JPEG, PNG, WebP, BMP or GIF", true,
        () => new OpenApiSchema { Type = JsonSchemaType.String, Format = "binary" });

    /// <summary>A repeatable method name.</summary>
    public static (string, string, bool, Func<OpenApiSchema>) Method(string fallback) => ("method",
        $"a method, repeatable (default {fallback}); 'all' is the paper's four maps", false,
        () => Repeatable(Names([.. KnownMethods.Names, KnownMethods.All])));

    /// <summary>The colormap.</summary>
    public static (string, string, bool, Func<OpenApiSchema>) Colormap { get; } = ("colormap",
        $"the colormap (default {KnownColormaps.Default})", false, () => Names(KnownColormaps.Names));

    /// <summary>A free text field.</summary>
    public static (string, string, bool, Func<OpenApiSchema>) Text(string name, string description,
        bool required = false) =>
        (name, description, required, () => new OpenApiSchema { Type = JsonSchemaType.String });

    /// <summary>A repeatable text field.</summary>
    public static (string, string, bool, Func<OpenApiSchema>) Texts(string name, string description) =>
        (name, description, false, () => Repeatable(new OpenApiSchema { Type = JsonSchemaType.String }));

    /// <summary>A whole number within bounds.</summary>
    public static (string, string, bool, Func<OpenApiSchema>) Integer(string name, string description, int minimum,
        int maximum) => (name, description, false, () => new OpenApiSchema
        {
            Type = JsonSchemaType.Integer, Minimum = $"{minimum}", Maximum = $"{maximum}",
        });

    /// <summary>The request body this form is.</summary>
    public OpenApiRequestBody RequestBody() => new()
    {
        Required = true,
        Content = new Dictionary<string, OpenApiMediaType>
        {
            ["multipart/form-data"] = new()
            {
                Schema = new OpenApiSchema
                {
                    Type = JsonSchemaType.Object,
                    Required = new HashSet<string>(Fields.Where(f => f.Required).Select(f => f.Name)),
                    Properties = Fields.ToDictionary(f => f.Name, f =>
                    {
                        OpenApiSchema schema = f.Schema();
                        schema.Description = f.Description;
                        return (IOpenApiSchema)schema;
                    }),
                },
            },
        },
    };

    private static OpenApiSchema Names(IEnumerable<string> names) => new()
    {
        Type = JsonSchemaType.String, Enum = [.. names.Select(n => (JsonNode)JsonValue.Create(n))],
    };

    private static OpenApiSchema Repeatable(OpenApiSchema item) => new()
    {
        Type = JsonSchemaType.Array, Items = item,
    };
}
