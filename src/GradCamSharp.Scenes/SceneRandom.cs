namespace GradCamSharp.Scenes;

/// <summary>
/// The random stream of one scene: derived from the world's seed and the scene's index alone, so that scene i is the
/// same whether it is generated first, alone or among thousands, and seeds never share scenes.
/// </summary>
internal static class SceneRandom
{
    public static Random For(int seed, int index)
    {
        // A fixed mix (not HashCode, which is randomised per process) of the two numbers.
        ulong mixed = unchecked((ulong)(uint)seed * 0x9E3779B97F4A7C15UL ^ (ulong)(uint)index * 0xC2B2AE3D27D4EB4FUL);
        mixed ^= mixed >> 29;
        return new Random((int)(mixed & 0x7FFFFFFF));
    }

    /// <summary>A uniform number in [low, high).</summary>
    public static double Uniform(this Random random, double low, double high) =>
        low + random.NextDouble() * (high - low);

    /// <summary>One of <paramref name="items"/>.</summary>
    public static T Pick<T>(this Random random, IReadOnlyList<T> items) => items[random.Next(items.Count)];
}
