using SkiaSharp;

namespace GradCamSharp.Imaging;

/// <summary>Writes PNG files whole or not at all.</summary>
public static class PngFile
{
    /// <summary>
    /// Encodes <paramref name="bitmap"/> as PNG into <paramref name="path"/> through a temporary file and a rename.
    /// </summary>
    public static void Save(SKBitmap bitmap, string path)
    {
        ArgumentNullException.ThrowIfNull(bitmap);
        ArgumentException.ThrowIfNullOrEmpty(path);
        using SKData data = bitmap.Encode(SKEncodedImageFormat.Png, 100)
            ?? throw new InvalidOperationException($"cannot encode a {bitmap.Width}x{bitmap.Height} bitmap as PNG");
        string temporary = path + ".partial";
        try
        {
            using (FileStream stream = File.Create(temporary)) data.SaveTo(stream);
            File.Move(temporary, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(temporary)) File.Delete(temporary);
        }
    }
}
