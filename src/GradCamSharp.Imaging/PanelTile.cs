using SkiaSharp;

namespace GradCamSharp.Imaging;

/// <summary>One picture of a panel, with its caption.</summary>
/// <param name="Image">The picture; the panel does not take ownership.</param>
/// <param name="Title">The first caption line, e.g. "Grad-CAM".</param>
/// <param name="Subtitle">The second caption line, e.g. "dog (12.3)".</param>
public sealed record PanelTile(SKBitmap Image, string Title, string Subtitle = "");
