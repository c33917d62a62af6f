using SkiaSharp;

namespace GradCamSharp.Imaging;

/// <summary>Maps a value in [0, 1] to a colour.</summary>
public interface IColormap
{
    /// <summary>The name it is known by, e.g. "jet".</summary>
    string Name { get; }

    /// <summary>The colour of <paramref name="value"/>; values outside [0, 1] are clamped.</summary>
    SKColor Map(float value);
}
