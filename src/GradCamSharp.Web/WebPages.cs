using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace GradCamSharp.Web;

/// <summary>
/// The service's pages, embedded in the assembly (see the project file) so that it runs from anywhere, each served
/// with a Content-Security-Policy that allows exactly its own inline script and style (by their SHA-256 hashes), images
/// and requests from this server only, and no framing.
/// </summary>
internal static partial class WebPages
{
    private static readonly Dictionary<string, (byte[] Html, string Policy)> Pages = new(StringComparer.Ordinal);
    private static readonly Lock Gate = new();

    /// <summary>An embedded page as a response.</summary>
    public static IResult Html(string name)
    {
        (byte[] html, string policy) = Page(name);
        return new PageResult(html, policy);
    }

    /// <summary>The Content-Security-Policy of page <paramref name="name"/>.</summary>
    public static string PolicyOf(string name) => Page(name).Policy;

    private static (byte[] Html, string Policy) Page(string name)
    {
        lock (Gate)
        {
            if (Pages.TryGetValue(name, out var page)) return page;
            using Stream stream = typeof(WebPages).Assembly.GetManifestResourceStream($"wwwroot/{name}")
                ?? throw new InvalidOperationException($"page {name} is not embedded");
            using var buffer = new MemoryStream();
            stream.CopyTo(buffer);
            byte[] html = buffer.ToArray();
            string text = Encoding.UTF8.GetString(html);
            page = (html, "default-src 'none'; " +
                $"script-src {Hashes(ScriptBlock().Matches(text))}; style-src {Hashes(StyleBlock().Matches(text))}; " +
                "img-src 'self' blob: data:; connect-src 'self'; form-action 'self'; base-uri 'none'; " +
                "frame-ancestors 'none'");
            Pages[name] = page;
            return page;
        }
    }

    private static string Hashes(MatchCollection blocks) => blocks.Count == 0 ? "'none'" : string.Join(' ',
        blocks.Select(m => $"'sha256-{Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(
            m.Groups[1].Value)))}'"));

    [GeneratedRegex(@"<script>(.*?)</script>", RegexOptions.Singleline)]
    private static partial Regex ScriptBlock();

    [GeneratedRegex(@"<style>(.*?)</style>", RegexOptions.Singleline)]
    private static partial Regex StyleBlock();

    private sealed class PageResult(byte[] html, string policy) : IResult
    {
        public Task ExecuteAsync(HttpContext context)
        {
            context.Response.Headers.ContentSecurityPolicy = policy;
            context.Response.ContentType = "text/html; charset=utf-8";
            return context.Response.Body.WriteAsync(html).AsTask();
        }
    }
}
