using System.Net.Http.Headers;

namespace GradCamSharp.Web.Tests;

/// <summary>The multipart forms the page sends: an <c>image</c> file and text fields.</summary>
internal static class Uploads
{
    public static MultipartFormDataContent Form(byte[] image, string name, params (string Key, string Value)[] fields)
    {
        var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(image);
        file.Headers.ContentType = new MediaTypeHeaderValue(name.EndsWith(".png", StringComparison.OrdinalIgnoreCase)
            ? "image/png" : "image/jpeg");
        form.Add(file, "image", name);
        foreach ((string key, string value) in fields) form.Add(new StringContent(value), key);
        return form;
    }
}
