using TorchSharp;
using static TorchSharp.torch;

namespace GradCamSharp.Factorization;

/// <summary>
/// Non-negative matrix factorisation V ~ W H (V [m, n], W [m, k], H [k, n], all non-negative) by Lee and Seung's
/// multiplicative updates for the Frobenius norm (NIPS 2000), which never leave the non-negative orthant and lower the
/// error at every step. Initialised as scikit-learn's "random" init (|N(0, 1)| x sqrt(mean(V) / k)), seeded.
/// </summary>
public static class NonNegativeFactorization
{
    private const double Guard = 1e-10;

    /// <summary>Factorises <paramref name="v"/> into <paramref name="components"/> non-negative parts.</summary>
    /// <param name="v">[m, n] a non-negative matrix.</param>
    /// <param name="components">k, the number of parts.</param>
    /// <param name="seed">The initialisation's seed.</param>
    /// <param name="iterations">The most updates of both factors.</param>
    /// <param name="tolerance">Stops when the relative error improves by less than this over 10 updates.</param>
    /// <returns>W [m, k] and H [k, n], float64, and ||V - W H|| / ||V||.</returns>
    /// <exception cref="ArgumentException">A negative entry, or k below 1.</exception>
    public static (Tensor W, Tensor H, double RelativeError) Factorize(Tensor v, int components, long seed = 0,
        int iterations = 500, double tolerance = 1e-5)
    {
        ArgumentNullException.ThrowIfNull(v);
        ArgumentOutOfRangeException.ThrowIfLessThan(components, 1);
        if (v.dim() != 2) throw new ArgumentException("expected an [m, n] matrix", nameof(v));
        using DisposeScope scope = NewDisposeScope();
        using var noGrad = no_grad();
        Tensor matrix = v.to(ScalarType.Float64);
        if (matrix.lt(0).any().item<bool>()) throw new ArgumentException("the matrix has negative entries", nameof(v));
        using var generator = new Generator((ulong)seed);
        double scale = Math.Sqrt(matrix.mean().item<double>() / components);
        Tensor w = randn([matrix.shape[0], components], dtype: ScalarType.Float64, generator: generator).abs() * scale;
        Tensor h = randn([components, matrix.shape[1]], dtype: ScalarType.Float64, generator: generator).abs() * scale;
        double norm = Math.Max(matrix.norm().item<double>(), Guard), previous = double.PositiveInfinity, error = 1;
        for (int step = 0; step < iterations; step++)
        {
            using DisposeScope stepScope = NewDisposeScope();
            h = (h * w.t().matmul(matrix) / (w.t().matmul(w).matmul(h) + Guard)).MoveToOuterDisposeScope();
            w = (w * matrix.matmul(h.t()) / (w.matmul(h.matmul(h.t())) + Guard)).MoveToOuterDisposeScope();
            if (step % 10 != 9) continue;
            error = (matrix - w.matmul(h)).norm().item<double>() / norm;
            if (previous - error < tolerance) break;
            previous = error;
        }
        error = (matrix - w.matmul(h)).norm().item<double>() / norm;
        return (w.MoveToOuterDisposeScope(), h.MoveToOuterDisposeScope(), error);
    }
}
