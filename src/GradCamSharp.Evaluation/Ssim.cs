using GradCamSharp.Maps;

namespace GradCamSharp.Evaluation;

/// <summary>
/// The structural similarity index (Wang et al. 2004) of two maps, each first scaled to [0, 1] by its own range, as
/// Adebayo et al. (2018) compare saliency maps: the mean over 7x7 windows (uniform weights, as scikit-image's
/// default) of luminance, contrast and structure agreement, with C1 = (0.01)^2 and C2 = (0.03)^2.
/// </summary>
public static class Ssim
{
    private const int Window = 7;
    private const double C1 = 0.01 * 0.01, C2 = 0.03 * 0.03;

    /// <summary>SSIM of <paramref name="a"/> and <paramref name="b"/> (same size): 1 for identical maps.</summary>
    public static double Compute(Heatmap a, Heatmap b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (a.Width != b.Width || a.Height != b.Height)
            throw new ArgumentException($"maps of {a.Width}x{a.Height} and {b.Width}x{b.Height}");
        double[] x = Scaled(a.Values), y = Scaled(b.Values);
        int width = a.Width, height = a.Height;
        int window = Math.Min(Window, Math.Min(width, height));
        double total = 0;
        int count = 0;
        for (int top = 0; top + window <= height; top++)
        {
            for (int left = 0; left + window <= width; left++)
            {
                double mx = 0, my = 0;
                for (int j = 0; j < window; j++)
                {
                    for (int i = 0; i < window; i++)
                    {
                        int p = (top + j) * width + left + i;
                        mx += x[p];
                        my += y[p];
                    }
                }
                int n = window * window;
                mx /= n;
                my /= n;
                double vx = 0, vy = 0, cov = 0;
                for (int j = 0; j < window; j++)
                {
                    for (int i = 0; i < window; i++)
                    {
                        int p = (top + j) * width + left + i;
                        vx += (x[p] - mx) * (x[p] - mx);
                        vy += (y[p] - my) * (y[p] - my);
                        cov += (x[p] - mx) * (y[p] - my);
                    }
                }
                // Sample (co)variances, as scikit-image.
                vx /= n - 1;
                vy /= n - 1;
                cov /= n - 1;
                total += (2 * mx * my + C1) * (2 * cov + C2) / ((mx * mx + my * my + C1) * (vx + vy + C2));
                count++;
            }
        }
        return total / count;
    }

    private static double[] Scaled(float[] values)
    {
        float min = values.Min(), max = values.Max();
        double range = max - min;
        return values.Select(v => range > 0 ? (v - min) / range : 0).ToArray();
    }
}
