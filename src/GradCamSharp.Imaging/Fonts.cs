using SkiaSharp;

namespace GradCamSharp.Imaging;

/// <summary>
/// Finds a sans-serif typeface. The self-contained SkiaSharp build has no fontconfig, so common font files are tried
/// by path; without any, captions fall back to Skia's default typeface.
/// </summary>
internal static class Fonts
{
    private static readonly string[] Candidates =
    [
        "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
        "/usr/share/fonts/dejavu/DejaVuSans.ttf",
        "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
        "/usr/share/fonts/TTF/DejaVuSans.ttf",
        "/System/Library/Fonts/Helvetica.ttc",
        "C:\\Windows\\Fonts\\arial.ttf",
    ];

    public static SKTypeface Sans()
    {
        foreach (string path in Candidates)
        {
            if (File.Exists(path) && SKTypeface.FromFile(path) is SKTypeface typeface) return typeface;
        }
        return SKTypeface.FromFamilyName("sans-serif") ?? SKTypeface.Default;
    }
}
