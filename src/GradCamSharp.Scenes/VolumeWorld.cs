namespace GradCamSharp.Scenes;

/// <summary>
/// A seeded world of volumes with exact 3-D masks: one to three solid spheres and cubes of the same brightness in
/// Gaussian noise, never touching, so that only shape tells them apart. Volume i of a seed is the same wherever it is
/// generated (see <see cref="SceneRandom"/>).
/// </summary>
public static class VolumeWorld
{
    /// <summary>Voxels along each axis.</summary>
    public const int Size = 32;

    /// <summary>The kinds of object, in label order: voxel label k + 1 is <c>ClassNames[k]</c>, 0 is
    /// background.</summary>
    public static IReadOnlyList<string> ClassNames { get; } = ["sphere", "cube"];

    private const double NoiseLevel = 0.35;

    /// <summary>Volume <paramref name="index"/> of the world drawn with <paramref name="seed"/>.</summary>
    public static VolumeScene Generate(int seed, int index)
    {
        Random random = SceneRandom.For(seed, index);
        var voxels = new float[Size * Size * Size];
        var labels = new byte[voxels.Length];
        var objects = new List<VolumeObject>();
        int wanted = 1 + random.Next(3);
        for (int attempt = 0; objects.Count < wanted && attempt < 100; attempt++)
        {
            int kind = random.Next(ClassNames.Count);
            double radius = random.Uniform(3.5, 6.5);
            double[] centre = [.. Enumerable.Range(0, 3).Select(_ => random.Uniform(radius + 1, Size - radius - 1))];
            var candidate = new VolumeObject(ClassNames[kind], centre[0], centre[1], centre[2], radius);
            // Apart by more than their circumscribed spheres, with a voxel of background between them.
            if (objects.All(o => Distance(o, candidate) > (o.Radius + radius) * Math.Sqrt(3) + 1))
                objects.Add(candidate);
        }
        for (int z = 0; z < Size; z++)
            for (int y = 0; y < Size; y++)
                for (int x = 0; x < Size; x++)
                {
                    int i = (z * Size + y) * Size + x;
                    foreach (VolumeObject o in objects.Where(o => o.Contains(z + 0.5, y + 0.5, x + 0.5)))
                        labels[i] = (byte)(ClassIndex(o.Kind) + 1);
                    voxels[i] = (labels[i] > 0 ? 1f : 0f) + (float)(NoiseLevel * Gaussian(random));
                }
        return new VolumeScene(voxels, labels, objects);
    }

    /// <summary>The label index of a kind of object.</summary>
    /// <exception cref="ArgumentException">Not one of <see cref="ClassNames"/>.</exception>
    public static int ClassIndex(string kind)
    {
        int index = ClassNames.ToList().IndexOf(kind);
        return index >= 0 ? index
            : throw new ArgumentException($"'{kind}' is no kind of the volume world ({string.Join(", ", ClassNames)})");
    }

    private static double Distance(VolumeObject a, VolumeObject b) => Math.Sqrt(
        (a.Z - b.Z) * (a.Z - b.Z) + (a.Y - b.Y) * (a.Y - b.Y) + (a.X - b.X) * (a.X - b.X));

    private static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}

/// <summary>A solid of the volume world: a sphere of <paramref name="Radius"/>, or a cube of half-side it.</summary>
/// <param name="Kind">"sphere" or "cube".</param>
/// <param name="Z">The centre's slice coordinate (voxel centres are at i + 0.5).</param>
/// <param name="Y">The centre's row coordinate.</param>
/// <param name="X">The centre's column coordinate.</param>
/// <param name="Radius">The sphere's radius or the cube's half side, in voxels.</param>
public sealed record VolumeObject(string Kind, double Z, double Y, double X, double Radius)
{
    /// <summary>Whether the point lies inside the solid.</summary>
    public bool Contains(double z, double y, double x) => Kind == "sphere"
        ? (z - Z) * (z - Z) + (y - Y) * (y - Y) + (x - X) * (x - X) <= Radius * Radius
        : Math.Abs(z - Z) <= Radius && Math.Abs(y - Y) <= Radius && Math.Abs(x - X) <= Radius;
}

/// <summary>One volume of the <see cref="VolumeWorld"/> and its exact truth.</summary>
/// <param name="Voxels">[Size, Size, Size] intensities, slice by slice, row-major.</param>
/// <param name="Labels">The same voxels' labels: 0 background, k + 1 for <c>VolumeWorld.ClassNames[k]</c>.</param>
/// <param name="Objects">The solids drawn.</param>
public sealed record VolumeScene(float[] Voxels, byte[] Labels, IReadOnlyList<VolumeObject> Objects)
{
    /// <summary>Whether an object of kind <paramref name="classIndex"/> is in the volume.</summary>
    public bool Contains(int classIndex) => Objects.Any(o => VolumeWorld.ClassIndex(o.Kind) == classIndex);

    /// <summary>Whether voxel <paramref name="voxel"/> (an index into <see cref="Voxels"/>) is of the
    /// kind.</summary>
    public bool IsOf(int voxel, int classIndex) => Labels[voxel] == classIndex + 1;
}
