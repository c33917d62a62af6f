using SkiaSharp;

namespace GradCamSharp.Imaging;

/// <summary>The colormaps heatmaps are drawn with.</summary>
public static class KnownColormaps
{
    /// <summary>Jet, as in the Grad-CAM paper's figures (OpenCV's COLORMAP_JET): blue, cyan, yellow, red.</summary>
    public static IColormap Jet { get; } = new FunctionColormap("jet", t => (
        Math.Clamp(1.5f - Math.Abs(4 * t - 3), 0, 1),
        Math.Clamp(1.5f - Math.Abs(4 * t - 2), 0, 1),
        Math.Clamp(1.5f - Math.Abs(4 * t - 1), 0, 1)));

    /// <summary>Viridis (perceptually uniform, colour-blind safe); a degree-6 fit to matplotlib's table.</summary>
    public static IColormap Viridis { get; } = new FunctionColormap("viridis", t => (
        Polynomial(t, 0.2777273272234177f, 0.1050930431085774f, -0.3308618287255563f, -4.634230498983486f,
            6.228269936347081f, 4.776384997670288f, -5.435455855934631f),
        Polynomial(t, 0.005407344544966578f, 1.404613529898575f, 0.214847559468213f, -5.799100973351585f,
            14.17993336680509f, -13.74514537774601f, 4.645852612178535f),
        Polynomial(t, 0.3340998053353061f, 1.384590162594685f, 0.09509516302823659f, -19.33244095627987f,
            56.69055260068105f, -65.35303263337234f, 26.3124352495832f)));

    /// <summary>Turbo (Google's improved rainbow); its published polynomial approximation.</summary>
    public static IColormap Turbo { get; } = new FunctionColormap("turbo", t => (
        Polynomial(t, 0.13572138f, 4.61539260f, -42.66032258f, 132.13108234f, -152.94239396f, 59.28637943f),
        Polynomial(t, 0.09140261f, 2.19418839f, 4.84296658f, -14.18503333f, 4.27729857f, 2.82956604f),
        Polynomial(t, 0.10667330f, 12.64194608f, -60.58204836f, 110.36276771f, -89.90310912f, 27.34824973f)));

    /// <summary>Black to white.</summary>
    public static IColormap Gray { get; } = new FunctionColormap("gray", t => (t, t, t));

    private static readonly IColormap[] All = [Jet, Viridis, Turbo, Gray];

    /// <summary>The colormap used when none is named: jet, as in the paper's figures.</summary>
    public const string Default = "jet";

    /// <summary>Every colormap name.</summary>
    public static IReadOnlyList<string> Names { get; } = All.Select(c => c.Name).ToArray();

    /// <summary>Looks a colormap up by name (case-insensitive).</summary>
    /// <exception cref="UsageException">No such colormap.</exception>
    public static IColormap Get(string name) =>
        All.FirstOrDefault(c => string.Equals(c.Name, name, StringComparison.OrdinalIgnoreCase))
        ?? throw new UsageException($"unknown colormap '{name}'; known: {string.Join(", ", Names)}");

    private static float Polynomial(float t, params float[] coefficients)
    {
        float sum = 0;
        for (int i = coefficients.Length - 1; i >= 0; i--) sum = sum * t + coefficients[i];
        return sum;
    }

    private sealed class FunctionColormap(string name, Func<float, (float R, float G, float B)> function) : IColormap
    {
        private readonly SKColor[] _table = Enumerable.Range(0, 256).Select(i =>
        {
            (float r, float g, float b) = function(i / 255f);
            return new SKColor(ToByte(r), ToByte(g), ToByte(b));
        }).ToArray();

        public string Name => name;

        public SKColor Map(float value) =>
            _table[(int)MathF.Round(Math.Clamp(float.IsNaN(value) ? 0 : value, 0, 1) * 255)];

        private static byte ToByte(float v) => (byte)MathF.Round(Math.Clamp(v, 0, 1) * 255);
    }
}
