using SkiaSharp;

namespace GradCamSharp.Imaging;

/// <summary>Checks of the bitmaps the public entry points take.</summary>
internal static class Bitmaps
{
    /// <summary>
    /// Refuses a null or disposed bitmap: SkiaSharp reads a disposed one's freed pixels, which kills the process
    /// instead of throwing.
    /// </summary>
    /// <exception cref="ArgumentNullException">No bitmap.</exception>
    /// <exception cref="ObjectDisposedException">A disposed bitmap.</exception>
    public static void ThrowIfUnusable(SKBitmap bitmap, string parameter)
    {
        ArgumentNullException.ThrowIfNull(bitmap, parameter);
        ObjectDisposedException.ThrowIf(bitmap.Handle == IntPtr.Zero, bitmap);
    }
}
